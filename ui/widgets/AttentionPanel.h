#pragma once

#include "core/imaging/PredictionRenderer.h"
#include "ui/runtime/FrameResult.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QSlider;
class QSpinBox;

namespace resnest {

// The captured split-attention of the shown frame: choose a block and a radix, plot each radix's mean
// attention, and optionally draw that radix's map over the image (classifiers and segmenters; a detector's
// internal resize and padding are not reported, so its maps are not placed yet).
class AttentionPanel : public QWidget {
    Q_OBJECT
public:
    explicit AttentionPanel(QWidget* parent = nullptr);

    bool captureEnabled() const;
    void setCaptureEnabled(bool on);
    bool mapShown() const;
    void setMapShown(bool on);
    void showResult(const FrameResultPtr& result);
    // What the render thread draws over the image: the chosen block and radix, opacity, on or off.
    AttentionMapOptions mapOptions() const;

    Q_SIGNAL void captureChanged(bool on);
    Q_SIGNAL void mapChanged();

private:
    void populateBlocks(const FrameResult& result);
    void plot(const FrameResult& result);

    QCheckBox* capture_;
    QCheckBox* showMap_;
    QComboBox* block_;
    QSpinBox* radix_;
    QSlider* opacity_;
    QComboBox* colormap_;
    QCheckBox* perMapScale_;
    QCustomPlot* plot_;
    FrameResultPtr current_;
};

} // namespace resnest
