#pragma once

#include "ui/runtime/FrameResult.h"

#include <QMainWindow>

class QComboBox;
class QCustomPlot;
class QLabel;
class QListWidget;
class QSlider;
class QSpinBox;

namespace resnest {

class InferenceController;

// First cut of the inspector: one image, its top classes, and one block's per-radix split-attention map
// drawn over it. Inference runs on the controller's thread; this class only draws results.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    void openImage(const QString& path);
    void openCheckpoint(const QString& path);
    // A video file delivered at its own frame rate, newest frame wins, as a camera would.
    void playLive(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void showResult(const FrameResultPtr& result);
    void populateBlocks();
    void redraw();

    InferenceController* controller_;
    FrameResultPtr current_;
    QLabel* imageView_;
    QLabel* modelLabel_;
    QListWidget* topList_;
    QComboBox* blockBox_;
    QSpinBox* radixBox_;
    QSlider* opacity_;
    QCustomPlot* plot_;
};

} // namespace resnest
