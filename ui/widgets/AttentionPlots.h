#pragma once

#include "core/api/AttentionBlock.h"

#include <QTabWidget>
#include <vector>

class QCustomPlot;

namespace resnest {

// The plots of the attention explorer, one tab each: per radix (mean weight, and the support of the
// explained class when there is one), the histogram of a block's weights per radix, the block's per-channel
// weights of one radix (sorted, or in channel order), and entropy / max weight over the depth of the network
// with the chosen block marked. Redraws are queued, so several updates in one event-loop pass cost one.
class AttentionPlots : public QTabWidget {
    Q_OBJECT
public:
    explicit AttentionPlots(QWidget* parent = nullptr);

    // Draws only the tab on screen (the others when they are chosen), and nothing while hidden: on a live
    // source this runs several times a second on the GUI thread.
    void show(const std::vector<AttentionBlock>& blocks, int blockIndex, int radix);
    void setSortedChannels(bool sorted);
    bool sortedChannels() const { return sorted_; }

    QCustomPlot* radixPlot() const { return radix_; }
    QCustomPlot* histogramPlot() const { return histogram_; }
    QCustomPlot* channelPlot() const { return channels_; }
    QCustomPlot* depthPlot() const { return depth_; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    void redraw();
    void plotRadix(const AttentionBlock& block);
    void plotHistogram(const AttentionBlock& block);
    void plotChannels(const AttentionBlock& block, int radix);
    void plotDepth(const std::vector<AttentionBlock>& blocks, int blockIndex);

    QCustomPlot* radix_;
    QCustomPlot* histogram_;
    QCustomPlot* channels_;
    QCustomPlot* depth_;
    bool sorted_ = true;
    std::vector<AttentionBlock> blocks_;
    int blockIndex_ = -1;
    int radixIndex_ = 0;
    bool dirty_ = false;
};

} // namespace resnest
