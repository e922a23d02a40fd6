#pragma once

#include "core/imaging/PredictionRenderer.h"
#include "ui/runtime/FrameResult.h"
#include "ui/runtime/RenderedFrame.h"

#include <QElapsedTimer>
#include <QObject>
#include <atomic>
#include <mutex>

namespace resnest {

// Draws results on its own thread with the current overlay options, newest result wins: a result that
// arrives while one is being drawn replaces the waiting one, so drawing never queues up behind live video.
// `submit` and `setOptions` may be called from any thread; the drawing runs on the worker's thread.
class RenderWorker : public QObject {
    Q_OBJECT
public:
    explicit RenderWorker(QObject* parent = nullptr);

    void submit(const FrameResultPtr& result);
    // Redraws the last result with the new options.
    void setOptions(const OverlayOptions& options);
    OverlayOptions options() const;
    // The area, in device pixels, that the frame is fitted into on screen (ImageView): each frame also
    // carries its picture scaled to fit it (RenderedFrame::display). An empty size turns that off. Takes
    // effect from the next frame drawn.
    void setDisplayArea(const cv::Size& area);
    // Forget the last result (a new source); nothing is redrawn until the next submit.
    void clear();
    quint64 renderedFrames() const { return rendered_.load(); }
    quint64 skippedFrames() const { return skipped_.load(); }

    // The size of `image` fitted into `area`, aspect kept, as ImageView fits it (empty for empty input).
    static cv::Size fittedSize(const cv::Size& image, const cv::Size& area);

    Q_SLOT void renderPending();
    Q_SIGNAL void rendered(resnest::RenderedFramePtr frame);
    Q_SIGNAL void renderFailed(const QString& message);

private:
    void wake();

    mutable std::mutex mutex_;
    OverlayOptions options_;
    cv::Size displayArea_;
    FrameResultPtr pending_;
    FrameResultPtr last_;
    // The last live result that carried attention: its maps are held over the frames in between when capture
    // is sampled (InferenceWorker::setLiveCaptureEvery), so the overlay does not blink. Render thread only.
    FrameResultPtr lastCaptured_;
    quint64 generation_ = 0;
    QElapsedTimer clock_;          // render thread only
    qint64 multiplesAtMs_ = -1000; // when live small multiples were last drawn
    std::atomic<bool> notified_{false};
    std::atomic<quint64> rendered_{0};
    std::atomic<quint64> skipped_{0};
};

} // namespace resnest
