// The results table of a live view: rows follow each frame, and a class keeps one swatch icon for the life of
// the panel. Qt caches every painted icon's pixmap under the icon's key, so a new icon per row and frame
// filled QPixmapCache frame after frame (the soak's creeping heap, docs/reliability.md).
#include "ui/widgets/ResultsPanel.h"

#include <QtTest>

using namespace resnest;

class ResultsPanelTest : public QObject {
    Q_OBJECT

    static RenderedFramePtr detections(std::vector<int> labels) {
        auto summary = std::make_shared<ModelSummary>();
        summary->task = ModelTask::Detect;
        summary->labels = DatasetLabels::generic(11);
        auto result = std::make_shared<FrameResult>();
        result->live = true;
        result->model = summary;
        result->prediction.task = ModelTask::Detect;
        auto frame = std::make_shared<RenderedFrame>();
        for (size_t i = 0; i < labels.size(); ++i) {
            Detection d;
            d.box = {float(10 * i), 10.0f, float(10 * i + 8), 20.0f};
            d.score = 0.9f - 0.1f * float(i);
            d.label = labels[i];
            result->prediction.detection.detections.push_back(d);
            frame->drawnDetections.push_back(int(i));
        }
        frame->result = result;
        return frame;
    }

    Q_SLOT void rowsFollowEachFrameAndSwatchesAreReused() {
        ResultsPanel panel;
        panel.resize(400, 300);
        panel.QWidget::show();
        panel.show(*detections({3, 5, 3}));
        QCOMPARE(panel.rowCount(), 3);
        const qint64 three = panel.rowIcon(0).cacheKey(), five = panel.rowIcon(1).cacheKey();
        QVERIFY(three != five);
        QCOMPARE(panel.rowIcon(2).cacheKey(), three);
        for (int i = 0; i < 50; ++i) {
            panel.show(*detections({5, 3}));
            QTest::qWait(1); // painted, as in the live view
        }
        QCOMPARE(panel.rowCount(), 2);
        QCOMPARE(panel.rowText(1, 1), QStringLiteral("0.800"));
        QCOMPARE(panel.rowIcon(0).cacheKey(), five);
        QCOMPARE(panel.rowIcon(1).cacheKey(), three);
    }
};

QTEST_MAIN(ResultsPanelTest)
#include "ResultsPanelTest.moc"
