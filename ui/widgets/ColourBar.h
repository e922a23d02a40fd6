#pragma once

#include "core/imaging/PredictionRenderer.h"

#include <QImage>
#include <QString>
#include <QWidget>

namespace resnest {

// The attention map's colour scale beside the image view: the colormap from top (high) to bottom (low) with
// both ends written, or one swatch per radix for a dominant-radix map. It stays whatever the view's zoom,
// where a bar drawn into the image would scroll away.
class ColourBar : public QWidget {
    Q_OBJECT
public:
    explicit ColourBar(QWidget* parent = nullptr);

    // `colormap` by name (HeatmapRenderer::colormapByName); hides itself when nothing was drawn.
    void setScale(const DrawnMap& map, const QString& colormap);
    // The labels as shown, top to bottom (for tests).
    QStringList labels() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    DrawnMap map_;
    QString colormap_;
    QImage ramp_; // 1 x 256, top = high
};

} // namespace resnest
