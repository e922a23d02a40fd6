#pragma once

#include "ui/runtime/RenderedFrame.h"

#include <QImage>
#include <QString>
#include <QWidget>
#include <vector>

namespace resnest {

// Every radix map of the chosen block side by side over the image, showing the part of the image the main
// view shows (its zoom and pan are followed), each captioned with its radix.
class RadixMultiples : public QWidget {
    Q_OBJECT
public:
    explicit RadixMultiples(QWidget* parent = nullptr);

    void setFrame(const RenderedFramePtr& frame);
    // The main view's visible part, in pixels of the full image.
    void setVisibleRegion(QRectF imageRect);
    int count() const { return int(views_.size()); }
    // What the empty space says (why there are no maps).
    void setHint(const QString& hint);
    QString hint() const { return hint_; }
    QRectF visibleRegion() const { return visible_; }

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    std::vector<QImage> views_;
    QSize imageSize_;
    QRectF visible_;
    QString hint_;
    RenderedFramePtr frame_; // keeps the pixels the QImages wrap alive
};

} // namespace resnest
