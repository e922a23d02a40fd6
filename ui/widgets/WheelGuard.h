#pragma once

#include <QObject>

class QWidget;

namespace resnest {

// The mouse wheel scrolls a panel instead of changing the spin box, combo box, slider or tab bar it happens
// to pass over: those take the wheel only once they have the focus (clicked or tabbed to).
class WheelGuard : public QObject {
    Q_OBJECT
public:
    // Guards every such control under `root` that exists now.
    static void install(QWidget* root);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    explicit WheelGuard(QObject* parent);
};

} // namespace resnest
