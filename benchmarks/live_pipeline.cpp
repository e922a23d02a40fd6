// live-pipeline-bench: frames per second and latency of the inspector's live pipeline (capture thread,
// inference worker, render worker, the real window painting offscreen) against the same model run in a plain
// loop (decode, predict, draw the overlay, convert to RGB: the pipeline's work without threads or a window),
// alternating rounds so that drift on a shared machine hits both alike.
//
//   QT_QPA_PLATFORM=offscreen OMP_WAIT_POLICY=PASSIVE live-pipeline-bench [--weights FILE | --arch A --task
//   T]
//       [--video FILE] [--fps 30] [--size WxH] [--seconds 10] [--rounds 2] [--threads 0]
//       [--precision float32|bfloat16]
//       [--short-side N] [--capture]
//
// The video (default: the bundled sample, 640x480) is first copied at --fps (MJPG; --size resizes it too) and
// played as live at that rate, frames dropped when the model is slower, as from a camera. --short-side N runs
// a segmenter on the frame resized to that shorter side (the mask is drawn at full size), as the model
// panel's input size does; 0 runs it on the frame as is; the default is the model's own (its card's).
#include "benchmarks/Percentile.h"
#include "benchmarks/RetimedVideo.h"
#include "core/api/ComputeOptions.h"
#include "core/api/ResourceLocator.h"
#include "core/imaging/PredictionRenderer.h"
#include "core/inference/Predictor.h"
#include "core/media/VideoSource.h"
#include "core/pipeline/Devices.h"
#include "core/pipeline/HeapPolicy.h"
#include "tests/support/EventLoopWait.h"
#include "ui/runtime/InferenceController.h"
#include "ui/runtime/SteadyClock.h"
#include "ui/widgets/ImageView.h"
#include "ui/widgets/MainWindow.h"
#include "ui/widgets/OverlayPanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <string>
#include <vector>

using namespace resnest;

namespace {

struct Args {
    QString weights, arch, task, video, size;
    double fps = 30.0;
    double seconds = 10.0;
    int rounds = 2;
    int threads = 0;
    int shortSide = PredictOptions::kModelShortSide;
    bool capture = false;
    QString precision = QStringLiteral("float32");
};

Args parse(const QStringList& a) {
    Args r;
    for (int i = 1; i < a.size(); ++i) {
        const QString k = a[i];
        auto next = [&] {
            if (i + 1 >= a.size())
                throw std::invalid_argument(k.toStdString() + " needs a value");
            return a[++i];
        };
        if (k == "--weights")
            r.weights = next();
        else if (k == "--arch")
            r.arch = next();
        else if (k == "--task")
            r.task = next();
        else if (k == "--video")
            r.video = next();
        else if (k == "--size")
            r.size = next();
        else if (k == "--fps")
            r.fps = next().toDouble();
        else if (k == "--seconds")
            r.seconds = next().toDouble();
        else if (k == "--rounds")
            r.rounds = next().toInt();
        else if (k == "--short-side")
            r.shortSide = next().toInt();
        else if (k == "--threads")
            r.threads = next().toInt();
        else if (k == "--capture")
            r.capture = true;
        else if (k == "--precision")
            r.precision = next();
        else
            throw std::invalid_argument("unknown option " + k.toStdString());
    }
    return r;
}

// The plain loop: what one frame costs without the pipeline.
std::string shortSideText(int asked, int modelShort, int modelLong) {
    const auto side = [](int n) { return n > 0 ? std::to_string(n) : std::string("as is"); };
    if (asked >= 0)
        return side(asked);
    if (modelShort <= 0 && modelLong > 0)
        return "the model's (long side " + std::to_string(modelLong) + ")";
    return "the model's (" + side(modelShort) + ")";
}

double plainFps(Predictor& model, const QString& video, const PredictOptions& predict,
                const OverlayOptions& overlay, double seconds) {
    VideoSource source = VideoSource::openFile(video.toStdString());
    cv::Mat frame, pixels;
    int frames = 0;
    const qint64 start = steadyNowNs();
    while (double(steadyNowNs() - start) / 1e9 < seconds) {
        if (!source.read(frame)) {
            source.seek(0);
            continue;
        }
        const Prediction p = model.predict(frame, predict);
        cv::cvtColor(PredictionRenderer::draw(frame, p, model.labels(), overlay), pixels, cv::COLOR_BGR2BGRA);
        ++frames;
    }
    return frames / (double(steadyNowNs() - start) / 1e9);
}

struct PipelineRun {
    double renderedFps = 0, paintedFps = 0, latencyMedian = 0, latencyP95 = 0, dropped = 0, sourceFps = 0;
};

PipelineRun pipeline(MainWindow& w, const QString& video, double seconds) {
    InferenceController* c = w.controller();
    QSignalSpy opened(c, &InferenceController::videoOpened);
    std::vector<double> latencies;
    quint64 rendered = 0;
    bool counting = false;
    auto conn = QObject::connect(&w, &MainWindow::frameShown, [&](const RenderedFramePtr& f) {
        if (!counting)
            return;
        ++rendered;
        latencies.push_back(double(steadyNowNs() - f->result->capturedNs) / 1e6);
    });
    w.openVideo(video, false);
    opened.wait(10000);
    PipelineRun r;
    // The waits run the event loop as the inspector's does; QTest::qWait would sleep 10 ms between passes and
    // delay every paint (tests/support/EventLoopWait.h).
    EventLoopWait::forMs(1500); // warm-up: first frames, allocations
    const quint64 painted0 = w.view()->paintedFrames();
    const quint64 g0 = c->grabbedFrames(), d0 = c->droppedFrames();
    counting = true;
    QElapsedTimer clock;
    clock.start();
    EventLoopWait::forMs(int(seconds * 1000));
    counting = false;
    const double span = clock.nsecsElapsed() / 1e9;
    r.renderedFps = rendered / span;
    r.paintedFps = (w.view()->paintedFrames() - painted0) / span;
    const quint64 grabbed = c->grabbedFrames() - g0;
    r.dropped = grabbed ? double(c->droppedFrames() - d0) / double(grabbed) : 0.0;
    r.sourceFps = grabbed / span;
    r.latencyMedian = percentile(latencies, 0.5);
    r.latencyP95 = percentile(latencies, 0.95);
    c->stopVideo();
    QTest::qWait(500);
    QObject::disconnect(conn);
    return r;
}

} // namespace

int main(int argc, char** argv) {
    // As the inspector does (app/inspector/main.cpp), so that the pipeline measured is the one users run.
    resnest::HeapPolicy::keepFreedMemory();
    QApplication app(argc, argv);
    try {
        Args a = parse(QApplication::arguments());
        QTemporaryDir tmp;
        if (a.video.isEmpty())
            a.video = QString::fromStdString(ResourceLocator::find("demo/samples/digits-video.avi"));
        a.video = retimedCopy(a.video, a.size, a.fps, a.seconds + 10.0, tmp.path());
        ModelRequest request;
        if (a.weights.isEmpty() && a.arch.isEmpty())
            request.weights =
                QString::fromStdString(ResourceLocator::find("demo/models/digits-segment.safetensors"));
        else {
            request.weights = a.weights;
            request.arch = a.arch;
        }
        request.task = a.task;
        request.threads = a.threads;
        request.shortSide = a.shortSide;
        request.precision = a.precision;

        MainWindow w(false);
        w.resize(1280, 800);
        w.show();
        QSignalSpy ready(&w, &MainWindow::modelReady);
        QSignalSpy failed(w.controller(), &InferenceController::modelFailed);
        w.loadModel(request);
        // The window first loads its default model; wait for ours.
        while (ready.size() < 2 && failed.isEmpty())
            if (!ready.wait(600000))
                throw std::runtime_error("the model did not load");
        if (!failed.isEmpty())
            throw std::runtime_error(failed.at(0).at(0).toString().toStdString());
        PredictOptions predict = w.controller()->predictOptions();
        predict.captureAttention = a.capture;
        w.controller()->setPredictOptions(predict);
        const OverlayOptions overlay = w.controller()->overlayOptions();

        auto model = Predictor::load(request.spec());
        Devices::setThreads(a.threads);
        VideoSource probe = VideoSource::openFile(a.video.toStdString());
        cv::Mat first;
        probe.read(first);
        std::printf(
            "model: %s\nvideo: %dx%d at %.1f fps; network input short side %s; %d threads; capture %s; %s\n",
            w.model()->description.toUtf8().constData(), first.cols, first.rows, probe.fps(),
            shortSideText(a.shortSide, w.model()->info.inputShortSide, w.model()->info.inputLongSide).c_str(),
            a.threads, a.capture ? "on" : "off", a.precision.toUtf8().constData());
        std::printf(
            "| round | plain loop FPS | frames captured /s | pipeline FPS (rendered) | painted FPS | "
            "pipeline / "
            "plain | latency median / p95 ms | frames dropped |\n|---|---|---|---|---|---|---|---|\n");
        for (int round = 0; round < a.rounds; ++round) {
            const double plain = plainFps(*model, a.video, predict, overlay, a.seconds);
            const PipelineRun p = pipeline(w, a.video, a.seconds);
            std::printf("| %d | %.1f | %.1f | %.1f | %.1f | %.2f | %.0f / %.0f | %.0f %% |\n", round + 1,
                        plain, p.sourceFps, p.renderedFps, p.paintedFps, p.renderedFps / plain,
                        p.latencyMedian, p.latencyP95, 100.0 * p.dropped);
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
