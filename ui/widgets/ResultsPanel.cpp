#include "ui/widgets/ResultsPanel.h"

#include "core/imaging/SegmentationOverlay.h"

#include <QHeaderView>
#include <QLabel>
#include <QPixmap>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace resnest {

// One icon per colour for the life of the panel: a QIcon made anew every frame has a new cache key, and Qt
// keeps every painted icon's pixmap in QPixmapCache, so the live view filled it (10 MB) frame by frame.
QIcon ResultsPanel::swatch(const DatasetLabels& labels, int index) {
    const cv::Vec3b c = labels.color(index);
    const QRgb rgb = qRgb(c[2], c[1], c[0]);
    auto found = swatches_.constFind(rgb);
    if (found != swatches_.constEnd())
        return *found;
    QPixmap p(12, 12);
    p.fill(QColor(rgb));
    return *swatches_.insert(rgb, QIcon(p));
}

ResultsPanel::ResultsPanel(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel;
    table_ = new QTreeWidget;
    table_->setRootIsDecorated(false);
    table_->setColumnCount(3);
    table_->setHeaderLabels({tr("Class"), tr("Score"), tr("Box (x, y, w, h)")});
    table_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title_);
    layout->addWidget(table_, 1);
}

void ResultsPanel::clear() {
    title_->clear();
    table_->clear();
}

int ResultsPanel::rowCount() const {
    return table_->topLevelItemCount();
}

QString ResultsPanel::rowText(int row, int column) const {
    const QTreeWidgetItem* item = table_->topLevelItem(row);
    return item ? item->text(column) : QString();
}

QIcon ResultsPanel::rowIcon(int row) const {
    const QTreeWidgetItem* item = table_->topLevelItem(row);
    return item ? item->icon(0) : QIcon();
}

void ResultsPanel::show(const RenderedFrame& frame) {
    table_->clear();
    if (!frame.result || !frame.result->model)
        return;
    const Prediction& p = frame.result->prediction;
    const DatasetLabels& labels = frame.result->model->labels;
    switch (p.task) {
    case ModelTask::Classify:
        table_->setHeaderLabels({tr("Class"), tr("Probability"), QString()});
        title_->setText(p.classification.top.size() == 1
                            ? tr("Top class")
                            : tr("Top %1 classes").arg(p.classification.top.size()));
        for (const ClassScore& s : p.classification.top)
            table_->addTopLevelItem(new QTreeWidgetItem(
                {QString::fromStdString(s.label), QString::number(s.probability, 'f', 3), QString()}));
        break;
    case ModelTask::Segment: {
        table_->setHeaderLabels({tr("Class"), tr("Share of image"), tr("Pixels")});
        const auto legend = SegmentationOverlay::legend(p.segmentation, labels);
        title_->setText(legend.size() == 1 ? tr("1 class in the mask")
                                           : tr("%1 classes in the mask").arg(legend.size()));
        for (const LegendEntry& e : legend) {
            auto* item =
                new QTreeWidgetItem({QString::fromStdString(e.name),
                                     QString::number(100.0 * e.fraction, 'f', 1) + QStringLiteral(" %"),
                                     QString::number(e.pixels)});
            item->setIcon(0, swatch(labels, e.index));
            table_->addTopLevelItem(item);
        }
        break;
    }
    case ModelTask::Detect: {
        table_->setHeaderLabels({tr("Class"), tr("Score"), tr("Box (x, y, w, h)")});
        const auto& all = p.detection.detections;
        title_->setText(tr("%1 of %2 detections shown").arg(frame.drawnDetections.size()).arg(all.size()));
        for (int i : frame.drawnDetections) {
            const Detection& d = all[size_t(i)];
            auto* item = new QTreeWidgetItem({QString::fromStdString(labels.name(d.label)),
                                              QString::number(d.score, 'f', 3),
                                              QStringLiteral("%1, %2, %3, %4")
                                                  .arg(d.box[0], 0, 'f', 0)
                                                  .arg(d.box[1], 0, 'f', 0)
                                                  .arg(d.box[2] - d.box[0], 0, 'f', 0)
                                                  .arg(d.box[3] - d.box[1], 0, 'f', 0)});
            item->setIcon(0, swatch(labels, d.label));
            table_->addTopLevelItem(item);
        }
        break;
    }
    }
}

} // namespace resnest
