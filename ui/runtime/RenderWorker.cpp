#include "ui/runtime/RenderWorker.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <opencv2/imgproc.hpp>

namespace resnest {

namespace {
// Small multiples are drawn at this size and cropped to the main view's visible part on screen.
constexpr int kMultiplesLongSide = 480;
} // namespace

RenderWorker::RenderWorker(QObject* parent) : QObject(parent) {
    clock_.start();
}

void RenderWorker::submit(const FrameResultPtr& result) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (pending_)
            ++skipped_;
        pending_ = result;
        last_ = result;
        ++generation_;
    }
    wake();
}

void RenderWorker::setOptions(const OverlayOptions& options) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        options_ = options;
        if (!last_)
            return;
        pending_ = last_;
        ++generation_;
    }
    wake();
}

OverlayOptions RenderWorker::options() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return options_;
}

void RenderWorker::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.reset();
    last_.reset();
}

void RenderWorker::wake() {
    // One queued wake-up at most: the slot takes whatever is newest when it runs.
    if (!notified_.exchange(true))
        QMetaObject::invokeMethod(this, "renderPending", Qt::QueuedConnection);
}

void RenderWorker::renderPending() {
    notified_.store(false);
    FrameResultPtr result;
    auto frame = std::make_shared<RenderedFrame>();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        result = std::move(pending_);
        pending_.reset();
        frame->options = options_;
        frame->generation = generation_;
    }
    if (!result)
        return;
    try {
        QElapsedTimer clock;
        clock.start();
        frame->result = result;
        const DatasetLabels& labels = result->model ? result->model->labels : DatasetLabels::generic(0);
        const Prediction* drawn = &result->prediction;
        Prediction held;
        if (!result->prediction.blocks.empty()) {
            lastCaptured_ = result;
        } else if (frame->options.attention.show && result->live && lastCaptured_ &&
                   lastCaptured_->model == result->model &&
                   lastCaptured_->image.size() == result->image.size()) {
            held = result->prediction;
            const Prediction& from = lastCaptured_->prediction;
            held.blocks = from.blocks;
            drawn = &held;
        }
        cv::Mat bgr = PredictionRenderer::draw(result->image, *drawn, labels, frame->options,
                                               &frame->drawnDetections, &frame->map);
        cv::cvtColor(bgr, frame->rgb, cv::COLOR_BGR2RGB);
        // The explorer shows small multiples at most 5 times a second for live frames (MainWindow's panel
        // rate): drawing them for every frame would take a core's time from the model for pictures nobody
        // sees.
        const qint64 now = clock_.elapsed();
        const bool wanted = frame->options.attention.show || frame->options.attention.multiples;
        frame->multiplesSkipped = wanted && result->live && now - multiplesAtMs_ < 200;
        if (wanted && !frame->multiplesSkipped) {
            multiplesAtMs_ = now;
            for (cv::Mat& view :
                 PredictionRenderer::radixMultiples(result->image, *drawn, frame->options.attention,
                                                    kMultiplesLongSide, &frame->radixRanges)) {
                cv::cvtColor(view, view, cv::COLOR_BGR2RGB);
                frame->radixViews.push_back(view);
            }
        }
        frame->renderMs = double(clock.nsecsElapsed()) / 1e6;
        ++rendered_;
        Q_EMIT rendered(std::move(frame));
    } catch (const std::exception& e) {
        Q_EMIT renderFailed(QString::fromUtf8(e.what()));
    }
}

} // namespace resnest
