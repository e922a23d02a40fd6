#pragma once

#include "ui/runtime/RenderedFrame.h"

#include <QElapsedTimer>
#include <QImage>
#include <QTimer>
#include <QWidget>

namespace resnest {

// Shows the newest rendered frame with zoom (wheel at the cursor, fit, 1:1) and pan (drag). Frames may arrive
// faster than a screen is worth redrawing: the view keeps only the newest and repaints at most every
// `minRepaintMs` (16 ms: at most about 60 per second), so live video never floods the GUI thread. The limit
// is half a 30 fps frame interval, not one: with 33 ms, a paint that ran a little late pushed the next
// frame's repaint behind the frame after it, which then replaced it unpainted (23.5 of 30 frames a second
// painted).
class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    void setFrame(RenderedFramePtr frame);
    const RenderedFramePtr& frame() const { return frame_; }
    void setMessage(const QString& text); // shown when there is no frame, or over it
    QString message() const { return message_; }

    void fitToWindow();
    void actualSize();
    void zoomBy(double factor, QPointF anchor);
    double zoom() const { return zoom_; }
    bool fitting() const { return fit_; }
    // Widget position <-> image pixel.
    QPointF toImage(QPointF widgetPos) const;
    // The image pixels on screen now (the whole image when it fits).
    QRectF visibleImageRect() const;

    quint64 paintedFrames() const { return painted_; } // distinct frames painted
    quint64 receivedFrames() const { return received_; }
    // The picture as shown (frame at the current zoom, no message), for "export view".
    QImage grabView() const;

    Q_SIGNAL void hovered(QPointF imagePos, bool inside);
    // A left click that did not drag, inside the image.
    Q_SIGNAL void clicked(QPointF imagePos);
    Q_SIGNAL void zoomChanged(double zoom);
    // The part of the image on screen changed (zoom, pan, fit): `visible` in image pixels.
    Q_SIGNAL void viewportChanged(QRectF visible);
    // The view's size in device pixels, where a fitted frame goes (RenderedFrame::display).
    Q_SIGNAL void displayAreaChanged(QSize devicePixels);
    QSize displayArea() const;
    // Paints since the last reset that drew RenderedFrame::display as it is (no scaling on the GUI thread).
    quint64 unscaledPaints() const { return unscaledPaints_; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void scheduleRepaint();
    void updateFit();
    QRectF imageRect() const;
    bool insideImage(QPointF imagePos) const;

    RenderedFramePtr frame_;
    RenderedFramePtr lastPainted_;
    QImage image_; // wraps frame_->pixels, no copy
    QString message_;
    double zoom_ = 1.0;
    QPointF offset_; // widget position of the image's top-left corner
    bool fit_ = true;
    QPoint dragStart_;
    QPointF dragOffset_;
    bool dragging_ = false;
    QTimer repaintTimer_;
    QElapsedTimer sinceRepaint_;
    quint64 painted_ = 0;
    quint64 received_ = 0;
    quint64 unscaledPaints_ = 0;
    static constexpr int minRepaintMs = 16;
};

} // namespace resnest
