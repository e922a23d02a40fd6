#include "ui/runtime/RenderWorker.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace resnest {

namespace {
// Small multiples are drawn at this size and cropped to the main view's visible part on screen.
constexpr int kMultiplesLongSide = 480;
} // namespace

cv::Size RenderWorker::fittedSize(const cv::Size& image, const cv::Size& area) {
    if (image.empty() || area.empty())
        return {};
    const double zoom = std::min(double(area.width) / image.width, double(area.height) / image.height);
    return {std::max(1, int(std::lround(image.width * zoom))),
            std::max(1, int(std::lround(image.height * zoom)))};
}

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

void RenderWorker::setDisplayArea(const cv::Size& area) {
    std::lock_guard<std::mutex> lock(mutex_);
    displayArea_ = area;
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
    cv::Size area;
    auto frame = std::make_shared<RenderedFrame>();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        result = std::move(pending_);
        pending_.reset();
        frame->options = options_;
        frame->generation = generation_;
        area = displayArea_;
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
        cv::cvtColor(bgr, frame->pixels, cv::COLOR_BGR2BGRA);
        // As ImageView fits: the whole picture, aspect kept; averaged when shrinking, pixel-exact when
        // enlarging, as the view's own scaled drawing. No area (or no picture): no copy.
        if (const cv::Size size = fittedSize(frame->pixels.size(), area); !size.empty()) {
            if (size == frame->pixels.size())
                frame->display = frame->pixels;
            else
                cv::resize(frame->pixels, frame->display, size, 0, 0,
                           size.width < frame->pixels.cols ? cv::INTER_AREA : cv::INTER_NEAREST);
        }
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
                cv::Mat pixels;
                cv::cvtColor(view, pixels, cv::COLOR_BGR2BGRA);
                frame->radixViews.push_back(pixels);
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
