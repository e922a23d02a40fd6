#include "ui/widgets/RadixMultiples.h"

#include "ui/widgets/ImageConversions.h"

#include <QPainter>

namespace resnest {

RadixMultiples::RadixMultiples(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(90);
    hint_ = tr("Every radix of the chosen block appears here once attention is captured.");
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

QSize RadixMultiples::sizeHint() const {
    return {360, 130};
}

void RadixMultiples::setFrame(const RenderedFramePtr& frame) {
    frame_ = frame;
    views_.clear();
    if (frame && frame->result) {
        imageSize_ = QSize(frame->result->image.cols, frame->result->image.rows);
        for (const cv::Mat& v : frame->radixViews)
            views_.push_back(ImageConversions::wrapScreenPixels(v));
    }
    if (visible_.isEmpty() && !imageSize_.isEmpty())
        visible_ = QRectF(QPointF(0, 0), QSizeF(imageSize_));
    update();
}

void RadixMultiples::setVisibleRegion(QRectF imageRect) {
    visible_ = imageRect;
    update();
}

void RadixMultiples::setHint(const QString& hint) {
    hint_ = hint;
    update();
}

void RadixMultiples::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (views_.empty() || imageSize_.isEmpty()) {
        p.setPen(palette().placeholderText().color());
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, hint_);
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const int n = int(views_.size()), gap = 4, caption = fontMetrics().height();
    const double cellW = (width() - gap * (n - 1)) / double(n), cellH = height() - caption - 2;
    QRectF region = visible_.isEmpty() ? QRectF(QPointF(0, 0), QSizeF(imageSize_)) : visible_;
    for (int r = 0; r < n; ++r) {
        const QImage& v = views_[size_t(r)];
        // The visible region in this small view's pixels.
        const double s = double(v.width()) / imageSize_.width();
        const QRectF source(region.x() * s, region.y() * s, region.width() * s, region.height() * s);
        const double fit = std::min(cellW / source.width(), cellH / source.height());
        const QSizeF size(source.width() * fit, source.height() * fit);
        const QRectF target(r * (cellW + gap) + (cellW - size.width()) / 2, caption + 2, size.width(),
                            size.height());
        p.drawImage(target, v, source);
        p.drawText(QRectF(r * (cellW + gap), 0, cellW, caption), Qt::AlignCenter, tr("radix %1").arg(r));
    }
}

} // namespace resnest
