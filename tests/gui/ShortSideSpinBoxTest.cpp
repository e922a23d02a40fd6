// The segmentation input box: the two named settings and the sizes, typed or stepped, and the loaded model's
// size shown beside "model's".
#include "ui/widgets/ShortSideSpinBox.h"

#include <QLineEdit>
#include <QtTest>

using namespace resnest;

class ShortSideSpinBoxTest : public QObject {
    Q_OBJECT

    Q_SLOT void startsOnTheModelsSize() {
        ShortSideSpinBox box;
        QCOMPARE(box.value(), ShortSideSpinBox::kModel);
        QCOMPARE(box.text(), QStringLiteral("model's (image size)"));
        box.setModelSide(240);
        QCOMPARE(box.text(), QStringLiteral("model's (240 px)"));
        // A project's test scale: the shorter side says it; a longer side alone is named as such.
        box.setModelSide(512, 2048);
        QCOMPARE(box.text(), QStringLiteral("model's (512 px)"));
        box.setModelSide(0, 520);
        QCOMPARE(box.text(), QStringLiteral("model's (long side 520 px)"));
        box.setModelSide(240);
        box.setValue(0);
        QCOMPARE(box.text(), QStringLiteral("image size"));
        box.setValue(192);
        QCOMPARE(box.text(), QStringLiteral("192 px"));
    }

    Q_SLOT void stepsThroughTheNamedSettingsThenBy32() {
        ShortSideSpinBox box;
        box.stepBy(1);
        QCOMPARE(box.value(), 0);
        box.stepBy(1);
        QCOMPARE(box.value(), 32);
        box.stepBy(2);
        QCOMPARE(box.value(), 96);
        box.setValue(250);
        box.stepBy(-1);
        QCOMPARE(box.value(), 224);
        box.stepBy(1);
        QCOMPARE(box.value(), 256);
        box.setValue(32);
        box.stepBy(-1);
        QCOMPARE(box.value(), 0);
        box.stepBy(-1);
        QCOMPARE(box.value(), ShortSideSpinBox::kModel);
        box.stepBy(-1); // nothing below "model's"
        QCOMPARE(box.value(), ShortSideSpinBox::kModel);
        box.setValue(4096);
        box.stepBy(3);
        QCOMPARE(box.value(), 4096);
    }

    Q_SLOT void typedTextIsReadBack() {
        ShortSideSpinBox box;
        box.show();
        auto type = [&](const QString& text) {
            box.findChild<QLineEdit*>()->selectAll();
            QTest::keyClicks(&box, text);
            QTest::keyClick(&box, Qt::Key_Return);
            return box.value();
        };
        QCOMPARE(type(QStringLiteral("320")), 320);
        QCOMPARE(type(QStringLiteral("image size")), 0);
        QCOMPARE(type(QStringLiteral("288 px")), 288);
        QCOMPARE(type(QStringLiteral("model's (image size)")), ShortSideSpinBox::kModel);
        // Not a size: the keys are refused and the value stays.
        box.setValue(128);
        QCOMPARE(type(QStringLiteral("abc")), 128);
        // Above the largest size: the digit that passes it is refused.
        QCOMPARE(type(QStringLiteral("99999")), 999);
    }
};

QTEST_MAIN(ShortSideSpinBoxTest)
#include "ShortSideSpinBoxTest.moc"
