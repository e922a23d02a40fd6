#include "ui/widgets/ThumbnailStrip.h"

#include "ui/runtime/ThumbnailLoader.h"

#include <QFileInfo>
#include <QImage>
#include <QPixmap>

namespace resnest {

ThumbnailStrip::ThumbnailStrip(QWidget* parent) : QListWidget(parent), loader_(new ThumbnailLoader) {
    setViewMode(QListView::IconMode);
    setFlow(QListView::LeftToRight);
    setWrapping(false);
    setMovement(QListView::Static);
    setIconSize(QSize(kSize, kSize));
    setFixedHeight(kSize + 44);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setUniformItemSizes(true);
    // Names that differ at the end ("scene-1.jpg", "scene-1-mask.png") must stay told apart.
    setTextElideMode(Qt::ElideMiddle);
    setWordWrap(true);
    loader_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, loader_, &QObject::deleteLater);
    connect(loader_, &ThumbnailLoader::thumbnailReady, this,
            [this](int index, const cv::Mat& rgb, quint64 generation) {
                if (generation != loader_->generation() || index >= count() || rgb.empty())
                    return;
                const QImage image(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888);
                item(index)->setIcon(QIcon(QPixmap::fromImage(image)));
            });
    connect(this, &QListWidget::itemActivated, this, [this](QListWidgetItem* it) { select(row(it)); });
    connect(this, &QListWidget::itemClicked, this, [this](QListWidgetItem* it) { select(row(it)); });
    thread_.setObjectName(QStringLiteral("thumbnails"));
    thread_.start();
}

ThumbnailStrip::~ThumbnailStrip() {
    loader_->abandon();
    thread_.quit();
    thread_.wait();
}

void ThumbnailStrip::setFiles(const QStringList& paths) {
    loader_->abandon();
    paths_ = paths;
    clear();
    QPixmap blank(kSize, kSize);
    blank.fill(QColor(60, 60, 64));
    for (const QString& p : paths) {
        auto* it = new QListWidgetItem(QIcon(blank), QFileInfo(p).fileName());
        it->setToolTip(p);
        it->setSizeHint(QSize(kSize + 40, kSize + 36));
        addItem(it);
    }
    const quint64 generation = loader_->generation();
    QMetaObject::invokeMethod(loader_, "load", Qt::QueuedConnection, Q_ARG(QStringList, paths),
                              Q_ARG(int, kSize), Q_ARG(quint64, generation));
}

void ThumbnailStrip::select(int index) {
    if (index < 0 || index >= count())
        return;
    setCurrentRow(index);
    scrollToItem(item(index));
    Q_EMIT imageChosen(paths_[index]);
}

} // namespace resnest
