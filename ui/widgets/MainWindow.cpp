#include "ui/widgets/MainWindow.h"

#include "core/attention/AttentionStatistics.h"
#include "core/imaging/HeatmapRenderer.h"
#include "core/imaging/RadixMapProjector.h"
#include "core/inference/ResourceLocator.h"
#include "ui/runtime/InferenceController.h"
#include "ui/widgets/ImageConversions.h"
#include "ui/widgets/QCustomPlotInclude.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMimeData>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>
#include <opencv2/imgproc.hpp>

namespace resnest {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), controller_(new InferenceController(this)) {
    setWindowTitle(tr("ResNeSt Inspector"));
    setAcceptDrops(true);

    imageView_ = new QLabel(tr("Drop an image here"));
    imageView_->setAlignment(Qt::AlignCenter);
    imageView_->setMinimumSize(480, 360);
    imageView_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);

    auto* side = new QWidget;
    auto* form = new QFormLayout;
    modelLabel_ = new QLabel(tr("loading model..."));
    modelLabel_->setWordWrap(true);
    topList_ = new QListWidget;
    blockBox_ = new QComboBox;
    radixBox_ = new QSpinBox;
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(0, 100);
    opacity_->setValue(55);
    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(180);
    plot_->xAxis->setLabel(tr("radix"));
    plot_->yAxis->setLabel(tr("mean attention"));
    form->addRow(tr("Model"), modelLabel_);
    form->addRow(tr("Top classes"), topList_);
    form->addRow(tr("Block"), blockBox_);
    form->addRow(tr("Radix"), radixBox_);
    form->addRow(tr("Opacity"), opacity_);
    auto* layout = new QVBoxLayout(side);
    layout->addLayout(form);
    layout->addWidget(plot_);

    auto* split = new QSplitter;
    split->addWidget(imageView_);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    setCentralWidget(split);

    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open image..."), QKeySequence::Open, this, [this] {
        const QString p = QFileDialog::getOpenFileName(
            this, tr("Open image"), QString(), tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp)"));
        if (!p.isEmpty())
            openImage(p);
    });
    file->addAction(tr("Open &checkpoint..."), this, [this] {
        const QString p =
            QFileDialog::getOpenFileName(this, tr("Open checkpoint"), QString(),
                                         tr("Checkpoints (*.safetensors *.pth *.pt *.bin *.ckpt)"));
        if (!p.isEmpty())
            openCheckpoint(p);
    });
    file->addAction(tr("Play video as &live..."), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Play video as live"), QString(),
                                                       tr("Videos (*.avi *.mp4 *.mkv *.mov *.webm)"));
        if (!p.isEmpty())
            playLive(p);
    });
    file->addAction(tr("Stop live"), this, [this] { controller_->stopLive(); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    connect(controller_, &InferenceController::modelLoaded, this, [this](const QString& text, bool random) {
        modelLabel_->setText(random ? text + tr("\npredictions are meaningless until you open a checkpoint")
                                    : text);
    });
    connect(controller_, &InferenceController::modelFailed, this, [this](const QString& msg) {
        statusBar()->showMessage(tr("Could not load the model: %1").arg(msg));
    });
    connect(controller_, &InferenceController::resultReady, this, &MainWindow::showResult);
    connect(controller_, &InferenceController::liveResultReady, this, [this](const FrameResultPtr& r) {
        showResult(r);
        statusBar()->showMessage(tr("live frame %1 — inference %2 ms — %3 of %4 frames dropped")
                                     .arg(r->jobId)
                                     .arg(r->classification.inferMs, 0, 'f', 1)
                                     .arg(controller_->droppedFrames())
                                     .arg(controller_->grabbedFrames()));
    });
    connect(controller_, &InferenceController::liveFailed, this,
            [this](const QString& msg) { statusBar()->showMessage(tr("Live source: %1").arg(msg)); });
    connect(controller_, &InferenceController::liveFinished, this, [this] {
        statusBar()->showMessage(tr("Live source ended; %1 of %2 frames dropped")
                                     .arg(controller_->droppedFrames())
                                     .arg(controller_->grabbedFrames()));
    });
    connect(controller_, &InferenceController::jobFailed, this, [this](quint64, const QString& msg) {
        statusBar()->showMessage(msg);
        imageView_->setText(msg);
    });
    connect(blockBox_, &QComboBox::currentIndexChanged, this, [this] {
        const int b = blockBox_->currentIndex();
        if (current_ && b >= 0 && b < int(current_->classification.blocks.size()))
            radixBox_->setRange(0, current_->classification.blocks[b].radix - 1);
        redraw();
    });
    connect(radixBox_, &QSpinBox::valueChanged, this, [this] { redraw(); });
    connect(opacity_, &QSlider::valueChanged, this, [this] { redraw(); });

    // The bundled demo classifier (digits, trained by resnest-train) when this build has it; otherwise a
    // resnest14d with seeded random weights, which the model line marks as such.
    QString demo;
    try {
        demo = QString::fromStdString(ResourceLocator::find("demo/models/digits-classify.safetensors"));
    } catch (const std::exception&) {
    }
    controller_->loadModel(demo.isEmpty() ? QStringLiteral("resnest14d") : QString(), demo);
    statusBar()->showMessage(tr("Ready"));
}

void MainWindow::openImage(const QString& path) {
    statusBar()->showMessage(tr("Analysing %1...").arg(QFileInfo(path).fileName()));
    controller_->requestFile(path);
}

void MainWindow::playLive(const QString& path) {
    statusBar()->showMessage(tr("Playing %1 as live...").arg(QFileInfo(path).fileName()));
    controller_->startLiveFile(path);
}

void MainWindow::openCheckpoint(const QString& path) {
    modelLabel_->setText(tr("loading %1...").arg(QFileInfo(path).fileName()));
    controller_->loadModel(QString(), path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile())
        openImage(urls.front().toLocalFile());
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    redraw();
}

void MainWindow::showResult(const FrameResultPtr& result) {
    current_ = result;
    topList_->clear();
    for (const auto& s : result->classification.top)
        topList_->addItem(
            QStringLiteral("%1  %2").arg(s.probability, 0, 'f', 3).arg(QString::fromStdString(s.label)));
    populateBlocks();
    redraw();
    if (result->source == QStringLiteral("live"))
        return; // the live handler writes its own status line
    statusBar()->showMessage(tr("%1 — preprocess %2 ms, inference %3 ms")
                                 .arg(QFileInfo(result->source).fileName())
                                 .arg(result->classification.preprocessMs, 0, 'f', 1)
                                 .arg(result->classification.inferMs, 0, 'f', 1));
}

void MainWindow::populateBlocks() {
    const QString previous = blockBox_->currentText();
    QSignalBlocker block(blockBox_);
    blockBox_->clear();
    for (const auto& b : current_->classification.blocks)
        blockBox_->addItem(QString::fromStdString(b.name));
    const int keep = blockBox_->findText(previous);
    blockBox_->setCurrentIndex(keep >= 0 ? keep : blockBox_->count() - 1);
    const int b = blockBox_->currentIndex();
    if (b >= 0)
        radixBox_->setRange(0, current_->classification.blocks[b].radix - 1);
}

void MainWindow::redraw() {
    if (!current_)
        return;
    const auto& cls = current_->classification;
    cv::Mat shown = current_->image;
    const int b = blockBox_->currentIndex();
    if (b >= 0 && b < int(cls.blocks.size())) {
        const AttentionBlock& block = cls.blocks[b];
        const int r = std::min(radixBox_->value(), block.radix - 1);
        // One colour scale for all radices of the block, so their maps compare directly.
        const auto [lo, hi] = AttentionStatistics::sharedRange(block.radixMaps);
        cv::Mat map = RadixMapProjector::toImage(block.radixMaps[r], block.stride, cls.geometry);
        shown = HeatmapRenderer::blend(current_->image, map, lo, hi, opacity_->value() / 100.0,
                                       HeatmapRenderer::colormapByName("viridis"));

        const BlockAttentionStats stats = AttentionStatistics::ofBlock(block);
        QVector<double> x, y;
        for (int k = 0; k < block.radix; ++k) {
            x << k;
            y << stats.meanPerRadix[size_t(k)];
        }
        plot_->clearPlottables();
        auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
        bars->setData(x, y);
        bars->setWidth(0.6);
        plot_->xAxis->setRange(-0.7, block.radix - 0.3);
        plot_->yAxis->setRange(0, 1);
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
    const QImage img = ImageConversions::fromBgr(shown);
    imageView_->setPixmap(
        QPixmap::fromImage(img).scaled(imageView_->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

} // namespace resnest
