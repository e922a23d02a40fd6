#include "ui/widgets/AttentionPanel.h"

#include "core/attention/AttentionStatistics.h"
#include "core/imaging/HeatmapRenderer.h"
#include "core/imaging/RadixMapProjector.h"
#include "ui/widgets/QCustomPlotInclude.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cstdlib>
#include <opencv2/imgproc.hpp>

namespace resnest {

AttentionPanel::AttentionPanel(QWidget* parent) : QWidget(parent) {
    capture_ = new QCheckBox(tr("capture attention"));
    capture_->setChecked(true);
    capture_->setToolTip(tr("Keep every block's attention and radix maps with each result (costs a little "
                            "time per frame)"));
    showMap_ = new QCheckBox(tr("draw the radix map over the image"));
    block_ = new QComboBox;
    radix_ = new QSpinBox;
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(0, 100);
    opacity_->setValue(55);
    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(160);
    plot_->xAxis->setLabel(tr("radix"));
    plot_->yAxis->setLabel(tr("mean attention"));
    auto* form = new QFormLayout;
    form->addRow(capture_);
    form->addRow(showMap_);
    form->addRow(tr("Block"), block_);
    form->addRow(tr("Radix"), radix_);
    form->addRow(tr("Map opacity"), opacity_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(plot_, 1);

    connect(capture_, &QCheckBox::toggled, this, &AttentionPanel::captureChanged);
    connect(showMap_, &QCheckBox::toggled, this, &AttentionPanel::mapChanged);
    connect(block_, &QComboBox::currentIndexChanged, this, [this] {
        if (!current_)
            return;
        const auto& blocks = current_->prediction.blocks();
        const int b = block_->currentIndex();
        if (b >= 0 && b < int(blocks.size()))
            radix_->setRange(0, blocks[size_t(b)].radix - 1);
        plot(*current_);
        Q_EMIT mapChanged();
    });
    connect(radix_, &QSpinBox::valueChanged, this, &AttentionPanel::mapChanged);
    connect(opacity_, &QSlider::valueChanged, this, &AttentionPanel::mapChanged);
}

bool AttentionPanel::captureEnabled() const {
    return capture_->isChecked();
}

void AttentionPanel::setCaptureEnabled(bool on) {
    capture_->setChecked(on);
}

bool AttentionPanel::mapShown() const {
    return showMap_->isChecked();
}

void AttentionPanel::setMapShown(bool on) {
    showMap_->setChecked(on);
}

void AttentionPanel::showResult(const FrameResultPtr& result) {
    current_ = result;
    if (!result)
        return;
    populateBlocks(*result);
    plot(*result);
}

void AttentionPanel::populateBlocks(const FrameResult& result) {
    const auto& blocks = result.prediction.blocks();
    if (block_->count() == int(blocks.size()))
        return; // same model: keep the choice
    const QString previous = block_->currentText();
    QSignalBlocker block(block_);
    block_->clear();
    for (const auto& b : blocks)
        block_->addItem(QString::fromStdString(b.name));
    const int keep = block_->findText(previous);
    block_->setCurrentIndex(keep >= 0 ? keep : block_->count() - 1);
    const int b = block_->currentIndex();
    if (b >= 0)
        radix_->setRange(0, blocks[size_t(b)].radix - 1);
}

void AttentionPanel::plot(const FrameResult& result) {
    const auto& blocks = result.prediction.blocks();
    const int b = block_->currentIndex();
    if (blocks.empty() && plot_->plottableCount() == 0)
        return; // nothing captured, nothing drawn: no replot
    plot_->clearPlottables();
    if (b >= 0 && b < int(blocks.size())) {
        const AttentionBlock& block = blocks[size_t(b)];
        const BlockAttentionStats stats = AttentionStatistics::ofBlock(block);
        QVector<double> x, y;
        for (int k = 0; k < block.radix; ++k) {
            x << k;
            y << stats.meanPerRadix[size_t(k)];
        }
        auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
        bars->setData(x, y);
        bars->setWidth(0.6);
        plot_->xAxis->setRange(-0.7, block.radix - 0.3);
        plot_->yAxis->setRange(0, 1);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

cv::Mat AttentionPanel::mapOverlay(const FrameResult& result) const {
    if (!showMap_->isChecked() || result.prediction.task != ModelTask::Classify)
        return {};
    const auto& blocks = result.prediction.blocks();
    const int b = block_->currentIndex();
    if (b < 0 || b >= int(blocks.size()))
        return {};
    const AttentionBlock& block = blocks[size_t(b)];
    const int r = std::min(radix_->value(), block.radix - 1);
    // One colour scale for all radices of the block, so their maps compare directly.
    const auto [lo, hi] = AttentionStatistics::sharedRange(block.radixMaps);
    const cv::Mat& feature = block.radixMaps[size_t(r)];
    cv::Mat map;
    if (result.prediction.task == ModelTask::Classify) {
        map = RadixMapProjector::toImage(feature, block.stride, result.prediction.classification.geometry);
    } else {
        // A segmenter sees the whole image at its own size (features cover it to within one stride), or
        // resized to the model panel's input size: then project onto that input and scale it to the image.
        const cv::Size covered(feature.cols * block.stride, feature.rows * block.stride);
        const cv::Size image = result.image.size();
        if (std::abs(covered.width - image.width) < block.stride &&
            std::abs(covered.height - image.height) < block.stride) {
            map = RadixMapProjector::toInput(feature, block.stride, image);
        } else {
            cv::resize(RadixMapProjector::toInput(feature, block.stride, covered), map, image, 0, 0,
                       cv::INTER_LINEAR);
        }
    }
    return HeatmapRenderer::blend(result.image, map, lo, hi, opacity_->value() / 100.0,
                                  HeatmapRenderer::colormapByName("viridis"));
}

} // namespace resnest
