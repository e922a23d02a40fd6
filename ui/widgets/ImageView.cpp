#include "ui/widgets/ImageView.h"

#include "ui/runtime/RenderWorker.h"
#include "ui/widgets/ImageConversions.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace resnest {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(320, 240);
    setFocusPolicy(Qt::StrongFocus);
    setAutoFillBackground(false);
    // paintEvent covers every pixel: Qt need not paint the window's background under it first.
    setAttribute(Qt::WA_OpaquePaintEvent);
    repaintTimer_.setSingleShot(true);
    connect(&repaintTimer_, &QTimer::timeout, this, [this] { update(); });
    sinceRepaint_.start();
}

void ImageView::setFrame(RenderedFramePtr frame) {
    const bool sizeChanged = !frame_ || !frame || frame_->pixels.size() != frame->pixels.size();
    frame_ = std::move(frame);
    ++received_;
    if (frame_ && !frame_->pixels.empty())
        image_ = ImageConversions::wrapScreenPixels(frame_->pixels);
    else
        image_ = QImage();
    if (sizeChanged && fit_)
        updateFit();
    scheduleRepaint();
}

void ImageView::setMessage(const QString& text) {
    message_ = text;
    update();
}

void ImageView::scheduleRepaint() {
    if (repaintTimer_.isActive())
        return; // the frame is taken when the timer fires
    const qint64 wait = minRepaintMs - sinceRepaint_.elapsed();
    if (wait <= 0)
        update();
    else
        repaintTimer_.start(int(wait));
}

void ImageView::updateFit() {
    if (image_.isNull())
        return;
    fit_ = true;
    zoom_ = std::min(double(width()) / image_.width(), double(height()) / image_.height());
    offset_ = QPointF((width() - image_.width() * zoom_) / 2.0, (height() - image_.height() * zoom_) / 2.0);
    Q_EMIT zoomChanged(zoom_);
    Q_EMIT viewportChanged(visibleImageRect());
}

QRectF ImageView::visibleImageRect() const {
    const QRectF all(0, 0, image_.width(), image_.height());
    return QRectF(toImage(QPointF(0, 0)), toImage(QPointF(width(), height()))).intersected(all);
}

void ImageView::fitToWindow() {
    updateFit();
    update();
}

void ImageView::actualSize() {
    if (image_.isNull())
        return;
    zoomBy(1.0 / zoom_, QPointF(width() / 2.0, height() / 2.0));
}

void ImageView::zoomBy(double factor, QPointF anchor) {
    if (image_.isNull())
        return;
    const double next = std::clamp(zoom_ * factor, 0.02, 64.0);
    // Keep the image point under the anchor where it is.
    const QPointF at = toImage(anchor);
    zoom_ = next;
    offset_ = anchor - at * zoom_;
    fit_ = false;
    Q_EMIT zoomChanged(zoom_);
    Q_EMIT viewportChanged(visibleImageRect());
    update();
}

QPointF ImageView::toImage(QPointF widgetPos) const {
    return (widgetPos - offset_) / zoom_;
}

QRectF ImageView::imageRect() const {
    return QRectF(offset_, QSizeF(image_.width() * zoom_, image_.height() * zoom_));
}

QImage ImageView::grabView() const {
    return image_.copy();
}

QSize ImageView::displayArea() const {
    const double dpr = devicePixelRatioF();
    return {int(std::lround(width() * dpr)), int(std::lround(height() * dpr))};
}

void ImageView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(32, 32, 36));
    if (!image_.isNull()) {
        const QRectF target = imageRect();
        const double dpr = devicePixelRatioF();
        const QSize area = displayArea();
        // The render thread's copy fits the area this view had when the frame was drawn (the same
        // RenderWorker::fittedSize); after a resize, until the next frame, the picture is scaled here.
        if (fit_ && frame_ && !frame_->display.empty() &&
            frame_->display.size() ==
                RenderWorker::fittedSize(frame_->pixels.size(), cv::Size(area.width(), area.height()))) {
            // Scaled on the render thread: a copy of pixels, with no wait for Qt's thread pool.
            QImage shown = ImageConversions::wrapScreenPixels(frame_->display);
            shown.setDevicePixelRatio(dpr);
            p.drawImage(QPointF(std::round(target.x() * dpr) / dpr, std::round(target.y() * dpr) / dpr),
                        shown);
            ++unscaledPaints_;
        } else {
            // Smooth when shrinking (readable thumbnails of big frames), pixel-exact when enlarging.
            p.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ < 1.0);
            p.drawImage(target, image_);
        }
        // Frames shown, not paint events: the window repaints the view for other reasons too.
        if (frame_ != lastPainted_) {
            ++painted_;
            lastPainted_ = frame_;
        }
    }
    if (!message_.isEmpty()) {
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.15);
        p.setFont(f);
        const QRect box = rect().adjusted(20, 20, -20, -20);
        const QRect textRect = p.boundingRect(box, Qt::AlignCenter | Qt::TextWordWrap, message_);
        p.fillRect(textRect.adjusted(-12, -8, 12, 8), QColor(0, 0, 0, 180));
        p.setPen(Qt::white);
        p.drawText(box, Qt::AlignCenter | Qt::TextWordWrap, message_);
    }
    sinceRepaint_.restart();
}

void ImageView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    zoomBy(std::pow(1.25, steps), event->position());
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        dragging_ = true;
        dragStart_ = event->pos();
        dragOffset_ = offset_;
        setCursor(Qt::ClosedHandCursor);
    }
}

void ImageView::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_) {
        offset_ = dragOffset_ + QPointF(event->pos() - dragStart_);
        fit_ = false;
        Q_EMIT viewportChanged(visibleImageRect());
        update();
    }
    if (!image_.isNull()) {
        const QPointF at = toImage(event->position());
        Q_EMIT hovered(at, insideImage(at));
    }
}

void ImageView::mouseReleaseEvent(QMouseEvent* event) {
    const bool click = dragging_ && event->button() == Qt::LeftButton &&
                       (event->pos() - dragStart_).manhattanLength() < QApplication::startDragDistance();
    dragging_ = false;
    unsetCursor();
    if (click && !image_.isNull()) {
        const QPointF at = toImage(event->position());
        if (insideImage(at))
            Q_EMIT clicked(at);
    }
}

bool ImageView::insideImage(QPointF imagePos) const {
    return imagePos.x() >= 0 && imagePos.y() >= 0 && imagePos.x() < image_.width() &&
           imagePos.y() < image_.height();
}

void ImageView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (fit_)
        updateFit();
    Q_EMIT displayAreaChanged(displayArea());
}

} // namespace resnest
