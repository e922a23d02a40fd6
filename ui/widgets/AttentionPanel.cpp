#include "ui/widgets/AttentionPanel.h"

#include "core/attention/AttentionStatistics.h"
#include "ui/widgets/QCustomPlotInclude.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

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
    colormap_ = new QComboBox;
    colormap_->addItems({QStringLiteral("viridis"), QStringLiteral("inferno"), QStringLiteral("turbo"),
                         QStringLiteral("gray")});
    perMapScale_ = new QCheckBox(tr("own scale per map"));
    perMapScale_->setToolTip(tr("Off: one colour scale for every radix of the block, so their maps compare "
                                "directly. On: each map spans its own range."));
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
    form->addRow(tr("Colormap"), colormap_);
    form->addRow(perMapScale_);
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
    connect(colormap_, &QComboBox::currentIndexChanged, this, &AttentionPanel::mapChanged);
    connect(perMapScale_, &QCheckBox::toggled, this, &AttentionPanel::mapChanged);
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

AttentionMapOptions AttentionPanel::mapOptions() const {
    AttentionMapOptions o;
    o.show = showMap_->isChecked();
    o.block = block_->currentText().toStdString();
    o.radix = radix_->value();
    o.opacity = opacity_->value() / 100.0;
    o.colormap = colormap_->currentText().toStdString();
    o.perMapScale = perMapScale_->isChecked();
    return o;
}

} // namespace resnest
