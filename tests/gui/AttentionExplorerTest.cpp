// The Attention tab driven in the real window, offscreen, on the demo classifier (radix 2, cardinality 2):
// the block tree and its keyboard navigation, the plots, the map over the image, the explained class, an
// intervention with its before / after comparison, and the pixel probe; the demo detector's explained box.
#include "core/api/ResourceLocator.h"
#include "ui/widgets/AttentionPanel.h"
#include "ui/widgets/AttentionPlots.h"
#include "ui/widgets/AttentionTimeline.h"
#include "ui/widgets/BlockTree.h"
#include "ui/widgets/ColourBar.h"
#include "ui/widgets/ImageView.h"
#include "ui/widgets/MainWindow.h"
#include "ui/widgets/PlaybackBar.h"
#include "ui/widgets/QCustomPlotInclude.h"
#include "ui/widgets/RadixMultiples.h"

#include <QDockWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>

using namespace resnest;

class AttentionExplorerTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString digit_;

    static RenderedFramePtr waitForFrame(MainWindow& w, int timeoutMs = 60000) {
        QSignalSpy shown(&w, &MainWindow::frameShown);
        if (!shown.wait(timeoutMs))
            return nullptr;
        return shown.last().at(0).value<RenderedFramePtr>();
    }

    // Frames until one satisfies `ok` (results of earlier requests may still be on their way).
    template <typename Pred> static RenderedFramePtr waitFor(MainWindow& w, Pred ok) {
        for (int i = 0; i < 30; ++i) {
            RenderedFramePtr f = waitForFrame(w);
            if (!f || ok(*f))
                return f;
        }
        return nullptr;
    }

    static int plottedPoints(QCustomPlot* plot) {
        int n = 0;
        for (int i = 0; i < plot->plottableCount(); ++i)
            n += plot->plottable(i)->interface1D() ? plot->plottable(i)->interface1D()->dataCount() : 0;
        return n;
    }

    Q_SLOT void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        // The digit "5" of the first sample scene (box 229,328-314,419), with some background around it.
        const cv::Mat scene = cv::imread(ResourceLocator::find("demo/samples/digits-scene-1.jpg"));
        QVERIFY(!scene.empty());
        digit_ = dir_.filePath(QStringLiteral("digit.png"));
        QVERIFY(cv::imwrite(digit_.toStdString(), scene(cv::Rect(207, 308, 130, 130))));
    }

    Q_SLOT void exploresExplainsAndIntervenes() {
        MainWindow w(false);
        w.resize(1280, 900);
        w.show();
        QSignalSpy ready(&w, &MainWindow::modelReady);
        w.openCheckpoint(
            QString::fromStdString(ResourceLocator::find("demo/models/digits-classify.safetensors")));
        QTRY_VERIFY_WITH_TIMEOUT(w.model() && w.model()->task == ModelTask::Classify, 60000);
        w.openImage(digit_);
        const RenderedFramePtr plain =
            waitFor(w, [](const RenderedFrame& f) { return !f.result->prediction.blocks.empty(); });
        QVERIFY(plain);
        AttentionPanel* a = w.attentionPanel();
        qobject_cast<QDockWidget*>(a->parentWidget())->raise(); // its plots draw only when on screen

        // The tree: four stages of one block each, R, K, C and stride as the network has them.
        BlockTree* tree = a->blockTree();
        QCOMPARE(tree->topLevelItemCount(), 4);
        QCOMPARE(a->chosenBlock(), QStringLiteral("layer4.0"));
        const QTreeWidgetItem* l3 = tree->topLevelItem(2)->child(0);
        QCOMPARE(l3->text(0), QStringLiteral("layer3.0"));
        QCOMPARE(l3->text(1), QStringLiteral("2"));
        QCOMPARE(l3->text(2), QStringLiteral("2"));
        QCOMPARE(l3->text(3), QStringLiteral("256"));
        QCOMPARE(l3->text(4), QStringLiteral("8"));
        QVERIFY(!l3->text(5).isEmpty());
        // Keyboard: Up from layer4.0 passes the stage row and lands on layer3.0.
        tree->setFocus();
        QTest::keyClick(tree, Qt::Key_Up);
        QTest::keyClick(tree, Qt::Key_Up);
        QCOMPARE(a->chosenBlock(), QStringLiteral("layer3.0"));

        // Plots follow the block: 2 radix bars, 2 histograms, one bar per channel, 4 blocks over depth; each
        // tab is drawn when it is chosen.
        AttentionPlots* plots = a->plots();
        QCOMPARE(plots->radixPlot()->plottableCount(), 1);
        QCOMPARE(plottedPoints(plots->radixPlot()), 2);
        QCOMPARE(plots->histogramPlot()->graphCount(), 0);
        plots->setCurrentWidget(plots->histogramPlot());
        QCOMPARE(plots->histogramPlot()->graphCount(), 2);
        plots->setCurrentWidget(plots->channelPlot());
        QCOMPARE(plottedPoints(plots->channelPlot()), 256);
        plots->setCurrentWidget(plots->depthPlot());
        QCOMPARE(plots->depthPlot()->graph(0)->dataCount(), 4);
        // Blocks are counted: no tick at "block 2.5", however narrow the range shown.
        const QCPRange shownBlocks = plots->depthPlot()->xAxis->range();
        plots->depthPlot()->xAxis->setRange(0, 2);
        plots->depthPlot()->replot();
        QVERIFY(!plots->depthPlot()->xAxis->tickVector().isEmpty());
        for (double tick : plots->depthPlot()->xAxis->tickVector())
            QCOMPARE(tick, std::round(tick));
        plots->depthPlot()->xAxis->setRange(shownBlocks);
        plots->setCurrentWidget(plots->radixPlot());

        // The map over the image changes what is drawn; the probe reads both radices there.
        a->setMapShown(true);
        const RenderedFramePtr mapped =
            waitFor(w, [](const RenderedFrame& f) { return f.options.attention.show; });
        QVERIFY(mapped);
        QVERIFY(cv::norm(mapped->pixels, plain->pixels, cv::NORM_L1) > 0);
        // The colour scale is beside the view, not drawn into the image, and says the drawn range.
        QVERIFY(!mapped->options.attention.colourBar);
        QVERIFY(mapped->map.drawn);
        QVERIFY(w.colourBar()->isVisible());
        QCOMPARE(w.colourBar()->labels(), QStringList({QString::number(mapped->map.hi, 'g', 3),
                                                       QString::number(mapped->map.lo, 'g', 3)}));
        // Small multiples: both radices, following the main view's zoom.
        QCOMPARE(a->multiples()->count(), 2);
        QCOMPARE(int(mapped->radixViews.size()), 2);
        w.view()->zoomBy(4.0, QPointF(w.view()->width() / 2.0, w.view()->height() / 2.0));
        QVERIFY(a->multiples()->visibleRegion().width() < 130 / 2.0);
        w.view()->fitToWindow();
        a->probe(QPointF(60, 70), true);
        QVERIFY2(a->probeText().startsWith(QStringLiteral("(60, 70)")), qPrintable(a->probeText()));
        QVERIFY2(a->probeText().contains(QStringLiteral("r0 ")) &&
                     a->probeText().contains(QStringLiteral("r1 ")),
                 qPrintable(a->probeText()));

        // Exports: the tensors, the per-block CSV and the small multiples.
        const QString npz = dir_.filePath(QStringLiteral("a.npz")),
                      csv = dir_.filePath(QStringLiteral("a.csv")),
                      png = dir_.filePath(QStringLiteral("a.png"));
        QVERIFY(w.exportAttention(npz));
        QVERIFY(w.exportAttention(csv));
        QVERIFY(w.exportAttention(png));
        QVERIFY(QFileInfo(npz).size() > 1000);
        QFile table(csv);
        QVERIFY(table.open(QIODevice::ReadOnly));
        QCOMPARE(table.readAll().count('\n'), 5); // header + 4 blocks
        // The PNG reads on its own: the maps, captioned, with the shared colour scale beside them.
        const cv::Mat maps = cv::imread(png.toStdString());
        const cv::Mat& first = mapped->radixViews[0];
        QVERIFY(maps.cols > 2 * first.cols + 20);
        QVERIFY(maps.rows > first.rows + 20);
        cv::Mat firstBgr;
        cv::cvtColor(first, firstBgr, cv::COLOR_BGRA2BGR);
        QCOMPARE(cv::norm(maps(cv::Rect(6, maps.rows - 6 - first.rows, first.cols, first.rows)), firstBgr,
                          cv::NORM_INF),
                 0.0);

        // Explain the predicted class: the result carries it, the radix plot adds the support bars, and the
        // class-conditioned map is drawn.
        a->setExplainClass(AttentionRequest::kExplainPredicted);
        const RenderedFramePtr explained =
            waitFor(w, [](const RenderedFrame& f) { return f.result->prediction.explainedClass >= 0; });
        QVERIFY(explained);
        QCOMPARE(explained->result->prediction.explainedClass,
                 explained->result->prediction.classification.top[0].index);
        QTRY_COMPARE(plots->radixPlot()->plottableCount(), 2);
        QVERIFY(!explained->result->prediction.blocks[2].classMaps.empty());
        QCOMPARE(a->mapOptions().kind, AttentionMapKind::ClassConditioned);
        QVERIFY(cv::norm(explained->pixels, mapped->pixels, cv::NORM_L1) > 0);
        QVERIFY(a->comparisonText().contains(QStringLiteral("Explained")));

        // An intervention: the prediction under it and the baseline without it, side by side.
        a->setOverride(QStringLiteral("layer4.0"), AttentionOverride::oneHot(1));
        const RenderedFramePtr changed =
            waitFor(w, [](const RenderedFrame& f) { return f.result->baseline != nullptr; });
        QVERIFY(changed);
        // Compared as logits: on this digit the override moves every class's logit by about the same amount
        // (the top one 7.96 -> 7.60), which leaves the softmax probability (0.9945) within 1e-4.
        const ClassScore& before = changed->result->baseline->classification.top[0];
        std::optional<double> after;
        for (const ClassScore& s : changed->result->prediction.classification.top)
            if (s.index == before.index)
                after = s.logit;
        QVERIFY2(!after || std::abs(*after - before.logit) > 1e-3,
                 qPrintable(QStringLiteral("logit %1 -> %2").arg(before.logit).arg(after.value_or(0))));
        QVERIFY2(a->comparisonText().contains(QStringLiteral("→")), qPrintable(a->comparisonText()));
        a->clearOverrides();
        QVERIFY(waitFor(w, [](const RenderedFrame& f) { return f.result->baseline == nullptr; }));
        QVERIFY(!a->comparisonText().contains(QStringLiteral("→")));
    }

    // A detector explains a box: the best one first, then the box clicked on the image, which the overlay
    // draws with a halo.
    Q_SLOT void detectorExplainsAClickedBox() {
        MainWindow w(false);
        w.resize(1280, 900);
        w.show();
        w.openCheckpoint(
            QString::fromStdString(ResourceLocator::find("demo/models/digits-detect.safetensors")));
        QTRY_VERIFY_WITH_TIMEOUT(w.model() && w.model()->task == ModelTask::Detect, 60000);
        w.openImage(QString::fromStdString(ResourceLocator::find("demo/samples/digits-scene-1.jpg")));
        AttentionPanel* a = w.attentionPanel();
        a->setMapShown(true);
        a->setExplainClass(AttentionRequest::kExplainPredicted);
        const RenderedFramePtr top = waitFor(
            w, [](const RenderedFrame& f) { return f.result->prediction.detection.explainedDetection >= 0; });
        QVERIFY(top);
        const DetectionResult& d = top->result->prediction.detection;
        QCOMPARE(d.explainedDetection, 0);
        QVERIFY(!top->result->prediction.blocks.back().classMaps.empty());
        QCOMPARE(a->mapOptions().kind, AttentionMapKind::ClassConditioned);
        QVERIFY2(a->comparisonText().contains(QStringLiteral("box #0")), qPrintable(a->comparisonText()));

        // A click on the centre of another confident box, through the view (widget -> image is affine).
        int other = -1;
        for (size_t i = 1; i < d.detections.size() && other < 0; ++i)
            if (d.detections[i].score >= 0.5f)
                other = int(i);
        QVERIFY2(other > 0, "the sample scene has several digits");
        const auto& b = d.detections[size_t(other)].box;
        QPointF centre((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
        int expected = -1; // the best box under that point (boxes overlap rarely, but may)
        for (size_t i = 0; i < d.detections.size() && expected < 0; ++i) {
            const auto& c = d.detections[i].box;
            if (centre.x() >= c[0] && centre.x() <= c[2] && centre.y() >= c[1] && centre.y() <= c[3])
                expected = int(i);
        }
        ImageView* view = w.view();
        const QPointF o = view->toImage(QPointF(0, 0)), u = view->toImage(QPointF(1, 1)) - o;
        const QPoint at(int(std::lround((centre.x() - o.x()) / u.x())),
                        int(std::lround((centre.y() - o.y()) / u.y())));
        QSignalSpy clicked(view, &ImageView::clicked);
        QTest::mouseClick(view, Qt::LeftButton, {}, at);
        QCOMPARE(clicked.count(), 1);
        const RenderedFramePtr picked = waitFor(w, [&](const RenderedFrame& f) {
            return f.result->prediction.detection.explainedDetection == expected;
        });
        QVERIFY(picked);
        QCOMPARE(picked->result->prediction.explainedClass,
                 picked->result->prediction.detection.detections[size_t(expected)].label);
        QVERIFY(cv::norm(picked->pixels, top->pixels, cv::NORM_L1) > 0);
        QVERIFY2(a->comparisonText().contains(QStringLiteral("box #%1").arg(expected)),
                 qPrintable(a->comparisonText()));
    }

    // A video: the timeline fills with the chosen block's history, a click on it pauses the video at that
    // frame and captures it (even with live capture off), and a pinned probe follows the frames.
    Q_SLOT void timelineFreezesAVideoAtAFrame() {
        MainWindow w(false);
        w.resize(1280, 900);
        w.show();
        w.openCheckpoint(
            QString::fromStdString(ResourceLocator::find("demo/models/digits-classify.safetensors")));
        QTRY_VERIFY_WITH_TIMEOUT(w.model() && w.model()->task == ModelTask::Classify, 60000);
        AttentionPanel* a = w.attentionPanel();
        qobject_cast<QDockWidget*>(a->parentWidget())->raise();
        a->plots()->setCurrentWidget(a->timeline());
        QSignalSpy shown(&w, &MainWindow::frameShown);
        w.openVideo(QString::fromStdString(ResourceLocator::find("demo/samples/digits-video.avi")), true);
        QTRY_VERIFY_WITH_TIMEOUT(a->timeline()->size() >= 8, 60000);
        QCOMPARE(a->timeline()->plot()->graphCount(), 3); // two radices and the entropy
        a->probe(QPointF(20, 30), true);
        a->setProbePinned(true);
        a->probe(QPointF(200, 100), true); // ignored while pinned
        QVERIFY(a->probeText().startsWith(QStringLiteral("(20, 30)")));

        a->setLiveCaptureEvery(0); // played frames are no longer captured...
        QCustomPlot* plot = a->timeline()->plot();
        plot->replot();
        QSignalSpy requested(a->timeline(), &AttentionTimeline::frameRequested);
        const int x = int(plot->xAxis->coordToPixel(3.0)), y = plot->height() / 2;
        QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, QPoint(x, y));
        QCOMPARE(requested.count(), 1);
        // A buffered frame, the one nearest the click or a neighbour of it (pixel rounding). Which frames are
        // buffered depends on how many a live video dropped: all of 0-7 on an idle machine, fewer under load
        // or a sanitizer.
        const quint64 frame = quint64(requested.at(0).at(0).toLongLong());
        double nearest = -1.0;
        bool buffered = false;
        for (const QCPGraphData& d : *plot->graph(0)->data()) {
            if (nearest < 0 || std::abs(d.key - 3.0) < std::abs(nearest - 3.0))
                nearest = d.key;
            buffered = buffered || quint64(d.key) == frame;
        }
        QVERIFY2(buffered && std::abs(double(frame) - nearest) <= 1.0,
                 qPrintable(QStringLiteral("frame %1, nearest buffered %2").arg(frame).arg(nearest)));
        // ...but the frame clicked on is, and the video waits there.
        const RenderedFramePtr frozen =
            waitFor(w, [frame](const RenderedFrame& f) { return f.result->jobId == frame; });
        QVERIFY(frozen);
        QVERIFY(!frozen->result->prediction.blocks.empty());
        QTRY_VERIFY(!w.playbackBar()->playing());
        QTRY_VERIFY(a->probeText().startsWith(QStringLiteral("(20, 30)")));
        w.openImage(digit_); // leaves video mode
    }
};

QTEST_MAIN(AttentionExplorerTest)
#include "AttentionExplorerTest.moc"
