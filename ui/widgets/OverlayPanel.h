#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/ModelTask.h"
#include "core/imaging/PredictionRenderer.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QListWidget;
class QSlider;

namespace resnest {

// How predictions are drawn: mask opacity and outlines, the detection score threshold, and which classes
// are shown (the class filter list, with each class's colour).
class OverlayPanel : public QWidget {
    Q_OBJECT
public:
    explicit OverlayPanel(QWidget* parent = nullptr);

    void setLabels(const DatasetLabels& labels, ModelTask task);
    OverlayOptions options() const;

    double opacity() const;
    void setOpacity(double opacity);
    double scoreThreshold() const;
    void setScoreThreshold(double threshold);
    bool outline() const;
    void setOutline(bool on);
    void setClassHidden(int index, bool hidden);

    Q_SIGNAL void optionsChanged(const resnest::OverlayOptions& options);

private:
    void changed();

    QSlider* opacity_;
    QSlider* threshold_;
    QLabel* thresholdValue_;
    QCheckBox* outline_;
    QListWidget* classes_;
    ModelTask task_ = ModelTask::Classify;
};

} // namespace resnest
