#pragma once

#include "core/api/AttentionBlock.h"

#include <QWidget>
#include <deque>
#include <string>
#include <vector>

class QCustomPlot;

namespace resnest {

// The chosen block's mean attention per radix and its radix entropy over the last frames of a video (a ring
// buffer of every block's summary, so choosing another block shows its history too; cleared by the window
// when another video opens). Clicking a frame asks
// for it (frameRequested): the window pauses there and captures it, to freeze and inspect.
class AttentionTimeline : public QWidget {
    Q_OBJECT
public:
    explicit AttentionTimeline(int capacity = 300, QWidget* parent = nullptr);

    void add(qint64 frame, const std::vector<AttentionBlock>& blocks);
    void clear();
    void setBlock(const std::string& name);
    int size() const { return int(frames_.size()); }
    QCustomPlot* plot() const { return plot_; }

    Q_SIGNAL void frameRequested(qint64 frame);

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct BlockSummary {
        std::string name;
        std::vector<double> meanPerRadix;
        double entropy = 0.0;
    };
    struct FrameSummary {
        qint64 frame = 0;
        std::vector<BlockSummary> blocks;
    };
    void redraw();

    int capacity_;
    std::deque<FrameSummary> frames_;
    std::string block_;
    QCustomPlot* plot_;
};

} // namespace resnest
