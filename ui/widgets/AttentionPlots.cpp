#include "ui/widgets/AttentionPlots.h"

#include "core/attention/AttentionStatistics.h"
#include "ui/widgets/QCustomPlotInclude.h"
#include "ui/widgets/RadixColours.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace resnest {

namespace {

QCustomPlot* newPlot(const QString& x, const QString& y) {
    auto* p = new QCustomPlot;
    // A replot draws the plot, then asks for a paint like any widget: with QCustomPlot's default immediate
    // refresh, the paint made Qt repaint every dirty widget of the window at once (the live frame too),
    // inside the replot: 13-23 ms in one event on a 2-core machine.
    p->setPlottingHint(QCP::phImmediateRefresh, false);
    p->setMinimumHeight(150);
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->legend->setFont(QFont(p->font().family(), 8));
    p->legend->setBrush(QColor(255, 255, 255, 200));
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    return p;
}

} // namespace

AttentionPlots::AttentionPlots(QWidget* parent) : QTabWidget(parent) {
    radix_ = newPlot(tr("radix"), tr("mean attention"));
    // Radices and blocks are counted: no "block 2.5".
    auto integers = QSharedPointer<QCPAxisTickerFixed>::create();
    integers->setTickStep(1.0);
    integers->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    radix_->xAxis->setTicker(integers);
    histogram_ = newPlot(tr("attention weight"), tr("channels"));
    channels_ = newPlot(tr("channel (sorted by weight)"), tr("attention weight"));
    depth_ = newPlot(tr("block (network order)"), tr("mean over channels"));
    depth_->xAxis->setTicker(integers);
    addTab(radix_, tr("Radix"));
    addTab(histogram_, tr("Histogram"));
    addTab(channels_, tr("Channels"));
    addTab(depth_, tr("Depth"));
    connect(this, &QTabWidget::currentChanged, this, [this] {
        dirty_ = true;
        redraw();
    });
}

void AttentionPlots::setSortedChannels(bool sorted) {
    sorted_ = sorted;
    channels_->xAxis->setLabel(sorted ? tr("channel (sorted by weight)") : tr("channel"));
}

void AttentionPlots::show(const std::vector<AttentionBlock>& blocks, int blockIndex, int radix) {
    blocks_ = blocks;
    blockIndex_ = blockIndex;
    radixIndex_ = radix;
    dirty_ = true;
    redraw();
}

void AttentionPlots::showEvent(QShowEvent* event) {
    QTabWidget::showEvent(event);
    redraw();
}

void AttentionPlots::redraw() {
    if (!dirty_ || !isVisible())
        return;
    dirty_ = false;
    const std::vector<AttentionBlock>& blocks = blocks_;
    const int blockIndex = blockIndex_, radix = radixIndex_;
    if (blockIndex < 0 || blockIndex >= int(blocks.size())) {
        for (QCustomPlot* p : {radix_, histogram_, channels_, depth_}) {
            if (p->plottableCount() == 0 && p->graphCount() == 0)
                continue;
            p->clearPlottables();
            p->replot(QCustomPlot::rpQueuedReplot);
        }
        return;
    }
    const AttentionBlock& block = blocks[size_t(blockIndex)];
    QWidget* tab = currentWidget();
    if (tab == radix_)
        plotRadix(block);
    else if (tab == histogram_)
        plotHistogram(block);
    else if (tab == channels_)
        plotChannels(block, std::clamp(radix, 0, block.radix - 1));
    else if (tab == depth_)
        plotDepth(blocks, blockIndex);
    else
        dirty_ = true; // another tab (the timeline): draw when one of ours is chosen
}

void AttentionPlots::plotRadix(const AttentionBlock& block) {
    QCustomPlot* p = radix_;
    p->clearPlottables();
    const BlockAttentionStats stats = AttentionStatistics::ofBlock(block);
    const bool explained = block.support.size() == size_t(block.radix);
    QVector<double> x, mean, support;
    double most = 1e-12;
    for (int r = 0; r < block.radix; ++r) {
        x << r;
        mean << stats.meanPerRadix[size_t(r)];
        if (explained) {
            support << block.support[size_t(r)];
            most = std::max(most, std::abs(double(block.support[size_t(r)])));
        }
    }
    auto* bars = new QCPBars(p->xAxis, p->yAxis);
    bars->setName(tr("mean attention"));
    bars->setData(x, mean);
    bars->setWidth(explained ? 0.35 : 0.6);
    p->xAxis->setRange(-0.7, block.radix - 0.3);
    p->yAxis->setRange(0, 1);
    p->yAxis2->setVisible(explained);
    // The axis labels, in the bars' colours, say which bar is which (a legend would cover them).
    p->yAxis->setLabelColor(bars->pen().color());
    p->legend->setVisible(false);
    if (explained) {
        // Support on its own axis: a logit's gradient has no fixed scale.
        QVector<double> shifted;
        for (double v : x)
            shifted << v + 0.38;
        auto* s = new QCPBars(p->xAxis, p->yAxis2);
        s->setName(tr("support of the explained class"));
        s->setData(shifted, support);
        s->setWidth(0.35);
        s->setBrush(QColor(214, 39, 40, 160));
        s->setPen(QPen(QColor(214, 39, 40)));
        p->yAxis2->setRange(std::min(0.0, -most * 1.1), most * 1.1);
        p->yAxis2->setLabel(tr("support: a x d score / d a"));
        p->yAxis2->setLabelColor(QColor(214, 39, 40));
    }
    p->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionPlots::plotHistogram(const AttentionBlock& block) {
    QCustomPlot* p = histogram_;
    p->clearPlottables();
    const int bins = 20;
    const BlockAttentionStats stats = AttentionStatistics::ofBlock(block, bins);
    double most = 1;
    for (int r = 0; r < block.radix && r < int(stats.histogram.size()); ++r) {
        auto* g = p->addGraph();
        g->setName(tr("radix %1").arg(r));
        g->setLineStyle(QCPGraph::lsStepCenter);
        g->setPen(QPen(radixColour(r), 2));
        QVector<double> x, y;
        for (int i = 0; i < bins; ++i) {
            x << (i + 0.5) / bins;
            y << stats.histogram[size_t(r)][size_t(i)];
            most = std::max(most, y.back());
        }
        g->setData(x, y);
    }
    p->xAxis->setRange(0, 1);
    p->yAxis->setRange(0, most * 1.1);
    p->legend->setVisible(block.radix > 1);
    p->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionPlots::plotChannels(const AttentionBlock& block, int radix) {
    QCustomPlot* p = channels_;
    p->clearPlottables();
    if (block.attention.size() != size_t(block.radix) * size_t(block.channels))
        return;
    std::vector<double> w(size_t(block.channels));
    for (int c = 0; c < block.channels; ++c)
        w[size_t(c)] = block.attention[size_t(radix * block.channels + c)];
    if (sorted_)
        std::sort(w.begin(), w.end(), std::greater<double>());
    QVector<double> x, y;
    for (int c = 0; c < block.channels; ++c) {
        x << c;
        y << w[size_t(c)];
    }
    auto* bars = new QCPBars(p->xAxis, p->yAxis);
    bars->setName(tr("radix %1").arg(radix));
    bars->setData(x, y);
    bars->setWidth(1.0);
    bars->setPen(Qt::NoPen);
    bars->setBrush(radixColour(radix));
    p->xAxis->setRange(-0.5, block.channels - 0.5);
    p->yAxis->setRange(0, 1);
    p->legend->setVisible(true);
    p->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionPlots::plotDepth(const std::vector<AttentionBlock>& blocks, int blockIndex) {
    QCustomPlot* p = depth_;
    p->clearPlottables();
    QVector<double> x, entropy, maxWeight;
    for (size_t i = 0; i < blocks.size(); ++i) {
        const BlockAttentionStats s = AttentionStatistics::ofBlock(blocks[i], 2);
        x << double(i);
        entropy << s.entropy;
        maxWeight << s.maxWeight;
    }
    auto* e = p->addGraph();
    e->setName(tr("radix entropy / log R"));
    e->setData(x, entropy);
    e->setPen(QPen(radixColour(0), 2));
    e->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    auto* m = p->addGraph();
    m->setName(tr("max weight"));
    m->setData(x, maxWeight);
    m->setPen(QPen(radixColour(1), 2));
    m->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    // The chosen block, as a vertical line.
    auto* mark = p->addGraph();
    mark->setName(QString::fromStdString(blocks[size_t(blockIndex)].name));
    mark->setData(QVector<double>{double(blockIndex), double(blockIndex)}, QVector<double>{0.0, 1.0});
    mark->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    p->xAxis->setRange(-0.5, double(blocks.size()) - 0.5);
    p->yAxis->setRange(0, 1.05);
    p->legend->setVisible(true);
    p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace resnest
