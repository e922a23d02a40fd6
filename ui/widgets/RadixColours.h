#pragma once

#include <QColor>

namespace resnest {

// One colour per radix, the same in every attention plot (and distinct from the colormaps' ends).
inline QColor radixColour(int radix) {
    static const QColor colours[] = {QColor(31, 119, 180), QColor(255, 127, 14),  QColor(44, 160, 44),
                                     QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75)};
    return colours[radix % 6];
}

} // namespace resnest
