// live-soak-bench: a long run of the whole live pipeline (capture, inference with attention capture, render
// with the explorer's map and small multiples, the real window painting offscreen), with memory sampled every
// second (--sample-ms). Its table is in docs/reliability.md.
//
//   QT_QPA_PLATFORM=offscreen OMP_WAIT_POLICY=PASSIVE live-soak-bench [--source video|mjpeg] [--frames 10000]
//       [--fps 30] [--weights FILE] [--threads 0] [--max-growth 5] [--sample-ms 1000] [--csv SAMPLES.csv]
//       [--plain]   (no attention capture and no maps: the same run without the explorer, for comparison)
//
// video: the bundled sample re-timed to --fps and played as live, opened again whenever it ends. mjpeg: the
// same frames served as an HTTP MJPEG stream on 127.0.0.1 by this program (tests/support/MjpegServer). The
// run lasts until the source delivered --frames frames (dropped ones included). Memory, as medians over a
// tenth of the samples: the heap in use (glibc's chunks in use and mmapped blocks: what a leak grows) from
// after warm-up (the first tenth of the frames) to the end, and the resident size over the second half. The
// resident size first climbs for minutes while the heap, which keeps what it frees (HeapPolicy), settles at
// its high-water mark; the heap's size is shown beside it. Exit status 3 when either grows more than
// --max-growth per cent.
#include "benchmarks/Percentile.h"
#include "benchmarks/RetimedVideo.h"
#include "core/api/ResourceLocator.h"
#include "core/media/VideoSource.h"
#include "core/pipeline/HeapPolicy.h"
#include "tests/support/EventLoopProbe.h"
#include "tests/support/EventLoopWait.h"
#include "tests/support/MjpegServer.h"
#include "tests/support/ProcessMemory.h"
#include "ui/runtime/InferenceController.h"
#include "ui/runtime/SteadyClock.h"
#include "ui/widgets/AttentionPanel.h"
#include "ui/widgets/ImageView.h"
#include "ui/widgets/MainWindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <vector>

using namespace resnest;

namespace {

struct Args {
    QString source = QStringLiteral("video"), weights, csv;
    qint64 frames = 10000;
    double fps = 30.0;
    int threads = 0;
    double maxGrowth = 5.0;
    int sampleMs = 1000;
    bool plain = false;
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
        if (k == "--source")
            r.source = next();
        else if (k == "--frames")
            r.frames = next().toLongLong();
        else if (k == "--fps")
            r.fps = next().toDouble();
        else if (k == "--weights")
            r.weights = next();
        else if (k == "--threads")
            r.threads = next().toInt();
        else if (k == "--max-growth")
            r.maxGrowth = next().toDouble();
        else if (k == "--plain")
            r.plain = true;
        else if (k == "--sample-ms")
            r.sampleMs = std::max(50, next().toInt());
        else if (k == "--csv")
            r.csv = next();
        else
            throw std::invalid_argument("unknown option " + k.toStdString());
    }
    if (r.source != "video" && r.source != "mjpeg")
        throw std::invalid_argument("--source is video or mjpeg");
    if (r.frames < 100)
        throw std::invalid_argument("--frames: at least 100");
    return r;
}

struct Sample {
    double seconds, residentMiB, footprintMiB, inUseMiB;
    quint64 grabbed, dropped, rendered;
};

// Median of one measure over samples [from, to).
double medianOf(const std::vector<Sample>& s, size_t from, size_t to, double Sample::*measure) {
    std::vector<double> v;
    for (size_t i = from; i < std::min(to, s.size()); ++i)
        v.push_back(s[i].*measure);
    return percentile(v, 0.5);
}

std::vector<QByteArray> jpegsOf(const QString& video) {
    VideoSource in = VideoSource::openFile(video.toStdString());
    std::vector<QByteArray> out;
    std::vector<uchar> jpeg;
    for (cv::Mat f; in.read(f);) {
        cv::imencode(".jpg", f, jpeg);
        out.emplace_back(reinterpret_cast<const char*>(jpeg.data()), int(jpeg.size()));
    }
    if (out.empty())
        throw std::runtime_error("cannot read " + video.toStdString());
    return out;
}

} // namespace

int main(int argc, char** argv) {
    // As the inspector does (app/inspector/main.cpp), so that the memory measured is the one users see.
    HeapPolicy::keepFreedMemory();
    QApplication app(argc, argv);
    try {
        const Args a = parse(QApplication::arguments());
        const QString sample = QString::fromStdString(ResourceLocator::find("demo/samples/digits-video.avi"));
        QTemporaryDir tmp;
        // The window before the server: the server's thread runs timers of its own, and QApplication::notify
        // reads on each the gesture manager the window's first scroll area creates; made before the thread
        // starts, it is ordered before those reads (ThreadSanitizer, docs/reliability.md).
        MainWindow w(false);
        w.resize(1280, 800);
        w.show();
        std::unique_ptr<MjpegServer> server;
        QString source;
        if (a.source == "mjpeg") {
            server = std::make_unique<MjpegServer>(jpegsOf(sample), a.fps);
            source = server->start();
        } else {
            source = retimedCopy(sample, QString(), a.fps, 60.0, tmp.path());
        }

        QSignalSpy ready(&w, &MainWindow::modelReady);
        QSignalSpy failed(w.controller(), &InferenceController::modelFailed);
        if (!a.weights.isEmpty() || a.threads > 0) {
            ModelRequest request;
            request.weights =
                a.weights.isEmpty()
                    ? QString::fromStdString(ResourceLocator::find("demo/models/digits-detect.safetensors"))
                    : a.weights;
            request.threads = a.threads;
            w.loadModel(request);
            while (ready.size() < 2 && failed.isEmpty())
                if (!ready.wait(600000))
                    throw std::runtime_error("the model did not load");
        } else if (!w.model() && !ready.wait(600000)) {
            throw std::runtime_error("the model did not load");
        }
        if (!failed.isEmpty())
            throw std::runtime_error(failed.at(0).at(0).toString().toStdString());
        // Attention captured on every frame, the explorer's map drawn over it and its small multiples.
        AttentionPanel* attention = w.attentionPanel();
        attention->setCaptureEnabled(!a.plain);
        attention->setLiveCaptureEvery(1);
        attention->setMapShown(!a.plain);

        InferenceController* c = w.controller();
        std::vector<double> latencies;
        latencies.reserve(size_t(a.frames));
        quint64 rendered = 0, withMaps = 0;
        QObject::connect(&w, &MainWindow::frameShown, [&](const RenderedFramePtr& f) {
            ++rendered;
            withMaps += f->radixViews.empty() ? 0 : 1;
            latencies.push_back(double(steadyNowNs() - f->result->capturedNs) / 1e6);
        });
        int reopened = 0, interruptions = 0;
        QObject::connect(c, &InferenceController::videoFinished, [&] {
            ++reopened; // the file ended: looped, as a camera that never stops
            w.openVideo(source, false);
        });
        QObject::connect(c, &InferenceController::videoInterrupted, [&] { ++interruptions; });
        EventLoopProbe probe;
        w.openVideo(source, false);
        probe.start();

        std::vector<Sample> samples;
        QElapsedTimer clock;
        clock.start();
        const quint64 g0 = c->grabbedFrames();
        while (c->grabbedFrames() - g0 < quint64(a.frames)) {
            EventLoopWait::forMs(a.sampleMs); // not QTest::qWait, which sleeps 10 ms between passes
            samples.push_back({clock.elapsed() / 1000.0, residentMiB(), heapFootprintMiB(), heapInUseMiB(),
                               c->grabbedFrames() - g0, c->droppedFrames(), rendered});
            if (samples.size() % size_t(30000 / a.sampleMs) == 0) {
                std::fprintf(stderr, "%.0f s: %llu frames, %.0f MiB\n", samples.back().seconds,
                             (unsigned long long)samples.back().grabbed, samples.back().residentMiB);
            }
        }
        probe.stop();
        c->stopVideo();
        QTest::qWait(300);

        // Warm-up is the first tenth of the frames; the baseline the tenth of the samples after it.
        const quint64 warm = quint64(a.frames) / 10;
        const auto firstWarm =
            std::find_if(samples.begin(), samples.end(), [&](const Sample& s) { return s.grabbed >= warm; });
        const size_t from = size_t(firstWarm - samples.begin());
        const size_t tenth = std::max<size_t>(1, samples.size() / 10);
        const size_t n = samples.size(), half = n / 2;
        auto median = [&](size_t from, double Sample::*m) {
            return medianOf(samples, from, from + tenth, m);
        };
        auto atEnd = [&](double Sample::*m) { return medianOf(samples, n - std::min(n, tenth), n, m); };
        auto grew = [](double from, double to) { return from > 0 ? 100.0 * (to / from - 1.0) : 0.0; };
        const double inUseGrowth = grew(median(from, &Sample::inUseMiB), atEnd(&Sample::inUseMiB));
        const double residentGrowth = grew(median(half, &Sample::residentMiB), atEnd(&Sample::residentMiB));
        double maxResident = 0;
        for (const Sample& s : samples)
            maxResident = std::max(maxResident, s.residentMiB);
        const Sample& fin = samples.back();

        std::printf("model: %s; source: %s at %.0f fps (%s); %s\n",
                    w.model()->description.toUtf8().constData(), a.source.toUtf8().constData(), a.fps,
                    a.source == "mjpeg" ? "HTTP on 127.0.0.1" : "file looped as live",
                    a.plain ? "no attention capture, no maps"
                            : "capture every frame, map and small multiples on");
        std::printf(
            "| source | frames | seconds | rendered (with maps) | dropped | latency p50 / p95 / p99 ms | "
            "heap in use MiB, after warm-up / end | growth | heap size MiB, after warm-up / end | "
            "resident MiB, after warm-up / half-way / end (max) | growth over the second half | "
            "longest GUI stall ms | reopened / interrupted |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        std::printf(
            "| %s | %llu | %.0f | %llu (%llu) | %.1f %% | %.0f / %.0f / %.0f | %.0f / %.0f | %+.1f %% | "
            "%.0f / %.0f | %.0f / %.0f / %.0f (%.0f) | %+.1f %% | %.1f | %d / %d |\n",
            a.source.toUtf8().constData(), (unsigned long long)fin.grabbed, fin.seconds,
            (unsigned long long)rendered, (unsigned long long)withMaps,
            fin.grabbed ? 100.0 * double(fin.dropped) / double(fin.grabbed) : 0.0, percentile(latencies, 0.5),
            percentile(latencies, 0.95), percentile(latencies, 0.99), median(from, &Sample::inUseMiB),
            atEnd(&Sample::inUseMiB), inUseGrowth, median(from, &Sample::footprintMiB),
            atEnd(&Sample::footprintMiB), median(from, &Sample::residentMiB),
            median(half, &Sample::residentMiB), atEnd(&Sample::residentMiB), maxResident, residentGrowth,
            probe.worstStallMs(), reopened, interruptions);
        std::fflush(stdout);
        if (!a.csv.isEmpty()) {
            std::ofstream csv(a.csv.toStdString());
            csv << "seconds,resident_mib,heap_size_mib,heap_in_use_mib,grabbed,dropped,rendered\n";
            for (const Sample& s : samples)
                csv << s.seconds << ',' << s.residentMiB << ',' << s.footprintMiB << ',' << s.inUseMiB << ','
                    << s.grabbed << ',' << s.dropped << ',' << s.rendered << '\n';
        }
        if (inUseGrowth > a.maxGrowth || residentGrowth > a.maxGrowth) {
            std::cerr << "memory grew: heap in use " << inUseGrowth << " % after warm-up, resident "
                      << residentGrowth << " % over the second half (limit " << a.maxGrowth << " %)\n";
            return 3;
        }
        if (rendered == 0 || (withMaps == 0 && !a.plain)) {
            std::cerr << "no frame (or no map) was rendered\n";
            return 4;
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
