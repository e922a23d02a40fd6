#include "ui/widgets/ColourBar.h"

#include "core/imaging/HeatmapRenderer.h"

#include <QPainter>
#include <opencv2/imgproc.hpp>

namespace resnest {

namespace {

constexpr int kBarWidth = 16;
constexpr int kMargin = 6;

QString number(double v) {
    return QString::number(v, 'g', 3);
}

} // namespace

ColourBar::ColourBar(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    hide();
}

void ColourBar::setScale(const DrawnMap& map, const QString& colormap) {
    setVisible(map.drawn);
    if (!map.drawn)
        return;
    const bool same = map.drawn == map_.drawn && map.lo == map_.lo && map.hi == map_.hi &&
                      map.radices == map_.radices && colormap == colormap_;
    if (same)
        return;
    const int before = sizeHint().width();
    map_ = map;
    colormap_ = colormap;
    cv::Mat values(256, 1, CV_32F);
    for (int i = 0; i < 256; ++i)
        values.at<float>(i) = float(255 - i);
    cv::Mat bgr;
    try {
        bgr = HeatmapRenderer::colorize(values, 0.0, 255.0,
                                        HeatmapRenderer::colormapByName(colormap.toStdString()));
    } catch (const std::exception&) {
        bgr = HeatmapRenderer::colorize(values, 0.0, 255.0, -1);
    }
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    ramp_ = QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
    // Live ranges change every frame: the layout is redone only when the labels need another width.
    if (sizeHint().width() != before)
        updateGeometry();
    update();
}

QStringList ColourBar::labels() const {
    if (!map_.drawn)
        return {};
    if (map_.radices > 0) {
        QStringList out;
        for (int r = map_.radices - 1; r >= 0; --r)
            out << tr("radix %1").arg(r);
        return out;
    }
    return {number(map_.hi), number(map_.lo)};
}

QSize ColourBar::sizeHint() const {
    int text = 0;
    for (const QString& l : labels())
        text = std::max(text, fontMetrics().horizontalAdvance(l));
    text = std::max(text, fontMetrics().horizontalAdvance(QStringLiteral("-0.000")));
    return {kMargin + kBarWidth + kMargin + text + kMargin, 200};
}

QSize ColourBar::minimumSizeHint() const {
    return {sizeHint().width(), 60};
}

void ColourBar::paintEvent(QPaintEvent*) {
    if (!map_.drawn)
        return;
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const int text = fontMetrics().height();
    const QRect bar(kMargin, kMargin + text / 2, kBarWidth, height() - 2 * kMargin - text);
    const int labelX = bar.right() + kMargin;
    p.setPen(palette().windowText().color());
    if (map_.radices > 0) {
        // One swatch per radix: the dominant map's values are indices, not a continuum.
        const int n = map_.radices;
        for (int i = 0; i < n; ++i) {
            const int r = n - 1 - i;
            const int y0 = bar.top() + bar.height() * i / n, y1 = bar.top() + bar.height() * (i + 1) / n;
            const int row = n > 1 ? 255 - r * 255 / (n - 1) : 0;
            p.fillRect(QRect(bar.left(), y0, bar.width(), y1 - y0 - 1), QColor(ramp_.pixel(0, row)));
            p.drawText(QRect(labelX, y0, width() - labelX, y1 - y0), Qt::AlignVCenter | Qt::AlignLeft,
                       tr("radix %1").arg(r));
        }
        return;
    }
    p.drawImage(bar, ramp_);
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.drawText(QRect(labelX, bar.top() - text / 2, width() - labelX, text), Qt::AlignLeft | Qt::AlignVCenter,
               number(map_.hi));
    p.drawText(QRect(labelX, bar.bottom() - text / 2, width() - labelX, text),
               Qt::AlignLeft | Qt::AlignVCenter, number(map_.lo));
}

} // namespace resnest
