#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/ModelTask.h"
#include "core/imaging/PredictionRenderer.h"

#include <QVariantMap>
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
    // The user's class filter by class name (name -> hidden), kept across models and sessions. A name not in
    // it is shown, except a segmenter's background, which is drawn transparent unless chosen otherwise.
    QVariantMap classChoices() const;
    void setClassChoices(const QVariantMap& choices);

    Q_SIGNAL void optionsChanged(const resnest::OverlayOptions& options);

private:
    void changed();
    static bool isBackground(const QString& name);

    QSlider* opacity_;
    QSlider* threshold_;
    QLabel* thresholdValue_;
    QCheckBox* outline_;
    QListWidget* classes_;
    ModelTask task_ = ModelTask::Classify;
    QVariantMap choices_;
};

} // namespace resnest
