#include "ui/widgets/WheelGuard.h"

#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>
#include <QTabBar>
#include <QWidget>

namespace resnest {

WheelGuard::WheelGuard(QObject* parent) : QObject(parent) {}

void WheelGuard::install(QWidget* root) {
    auto* guard = new WheelGuard(root);
    const QList<QWidget*> all = root->findChildren<QWidget*>();
    for (QWidget* w : all)
        if (qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QComboBox*>(w) ||
            qobject_cast<QAbstractSlider*>(w) || qobject_cast<QTabBar*>(w)) {
            // Without this a wheel turn would give them the focus, and with it the wheel.
            if (w->focusPolicy() == Qt::WheelFocus)
                w->setFocusPolicy(Qt::StrongFocus);
            w->installEventFilter(guard);
        }
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::Wheel)
        return false;
    auto* w = qobject_cast<QWidget*>(watched);
    if (!w || w->hasFocus())
        return false;
    // Filtered and not accepted: QApplication hands the wheel on to the parents (the scroll area).
    event->ignore();
    return true;
}

} // namespace resnest
