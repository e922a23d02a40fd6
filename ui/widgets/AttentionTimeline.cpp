#include "ui/widgets/AttentionTimeline.h"

#include "core/attention/AttentionStatistics.h"
#include "ui/widgets/QCustomPlotInclude.h"
#include "ui/widgets/RadixColours.h"

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace resnest {

AttentionTimeline::AttentionTimeline(int capacity, QWidget* parent)
    : QWidget(parent), capacity_(std::max(2, capacity)) {
    plot_ = new QCustomPlot;
    // As AttentionPlots' plots: a replot asks for an ordinary paint, not a window-wide repaint.
    plot_->setPlottingHint(QCP::phImmediateRefresh, false);
    plot_->xAxis->setLabel(tr("frame (click: pause there and inspect)"));
    // Frames are counted: whole numbers only, however few frames are shown.
    auto frames = QSharedPointer<QCPAxisTickerFixed>::create();
    frames->setTickStep(1.0);
    frames->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot_->xAxis->setTicker(frames);
    plot_->yAxis->setLabel(tr("mean attention / entropy"));
    plot_->legend->setFont(QFont(plot_->font().family(), 8));
    plot_->legend->setBrush(QColor(255, 255, 255, 200));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (frames_.empty())
            return;
        const double x = plot_->xAxis->pixelToCoord(event->position().x());
        // The nearest frame that is in the buffer.
        const FrameSummary* best = &frames_.front();
        for (const FrameSummary& f : frames_)
            if (std::abs(double(f.frame) - x) < std::abs(double(best->frame) - x))
                best = &f;
        Q_EMIT frameRequested(best->frame);
    });
}

void AttentionTimeline::add(qint64 frame, const std::vector<AttentionBlock>& blocks) {
    if (blocks.empty())
        return;
    FrameSummary s;
    s.frame = frame;
    for (const AttentionBlock& b : blocks) {
        const BlockAttentionStats stats = AttentionStatistics::ofBlock(b, 2);
        s.blocks.push_back({b.name, stats.meanPerRadix, stats.entropy});
    }
    // Sorted by frame; a frame seen again (a seek back to inspect it) replaces its entry.
    auto at = std::lower_bound(frames_.begin(), frames_.end(), frame,
                               [](const FrameSummary& f, qint64 v) { return f.frame < v; });
    if (at != frames_.end() && at->frame == frame)
        *at = std::move(s);
    else
        frames_.insert(at, std::move(s));
    while (int(frames_.size()) > capacity_)
        frames_.pop_front();
    redraw();
}

void AttentionTimeline::clear() {
    frames_.clear();
    redraw();
}

void AttentionTimeline::setBlock(const std::string& name) {
    if (name == block_)
        return;
    block_ = name;
    redraw();
}

void AttentionTimeline::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    redraw();
}

void AttentionTimeline::redraw() {
    if (!isVisible())
        return; // the buffer keeps filling; drawn when shown
    plot_->clearPlottables();
    if (!frames_.empty()) {
        int radix = 0;
        for (const FrameSummary& f : frames_)
            for (const BlockSummary& b : f.blocks)
                if (b.name == block_)
                    radix = std::max(radix, int(b.meanPerRadix.size()));
        std::vector<QVector<double>> x(size_t(radix) + 1), y(size_t(radix) + 1);
        for (const FrameSummary& f : frames_)
            for (const BlockSummary& b : f.blocks) {
                if (b.name != block_)
                    continue;
                for (size_t r = 0; r < b.meanPerRadix.size(); ++r) {
                    x[r] << double(f.frame);
                    y[r] << b.meanPerRadix[r];
                }
                x[size_t(radix)] << double(f.frame);
                y[size_t(radix)] << b.entropy;
            }
        for (int r = 0; r <= radix; ++r) {
            auto* g = plot_->addGraph();
            g->setData(x[size_t(r)], y[size_t(r)], true);
            if (r < radix) {
                g->setName(tr("radix %1").arg(r));
                g->setPen(QPen(radixColour(r), 1.5));
            } else {
                g->setName(tr("entropy / log R"));
                g->setPen(QPen(Qt::black, 1.5, Qt::DashLine));
            }
        }
        plot_->xAxis->setRange(double(frames_.front().frame),
                               double(std::max(frames_.back().frame, frames_.front().frame + 1)));
        plot_->yAxis->setRange(0, 1.05);
        plot_->legend->setVisible(true);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace resnest
