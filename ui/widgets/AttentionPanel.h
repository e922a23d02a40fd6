#pragma once

#include "core/api/AttentionRequest.h"
#include "core/imaging/PredictionRenderer.h"
#include "ui/runtime/FrameResult.h"
#include "ui/runtime/RenderedFrame.h"

#include <QPointer>
#include <QStringList>
#include <QWidget>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QSplitter;

namespace resnest {

class AttentionPlots;
class AttentionTimeline;
class BlockTree;
class RadixMultiples;

// The attention explorer of the shown frame. A tree of blocks (R, K, C, stride, entropy); for the chosen
// block, which map the render thread draws over the image (radix map, radix difference, dominant radix or
// the class-conditioned map; one cardinal group or all; colormap, opacity, shared or per-map scale); plots
// (AttentionPlots); a pixel probe; the explained class and interventions, with the prediction before and
// after them side by side. Maps are placed for all three tasks; a detector explains one box (chosen by
// index, by class, or by a click on it).
class AttentionPanel : public QWidget {
    Q_OBJECT
public:
    explicit AttentionPanel(QWidget* parent = nullptr);
    ~AttentionPanel() override;

    // The small multiples, the pixel probe and the plots, for the window to place where they have room (under
    // the image); the panel keeps driving them. Deleted with the panel when nobody took it.
    QWidget* workspace() const;

    bool captureEnabled() const;
    // Live sources: capture every n-th frame (1 every frame, 0 only frames stepped to while paused).
    int liveCaptureEvery() const;
    void setLiveCaptureEvery(int n);
    void setCaptureEnabled(bool on);
    bool mapShown() const;
    void setMapShown(bool on);
    void showResult(const FrameResultPtr& result);
    // A detector explains a box instead of a class: the controls say so and offer the box choice.
    void setModelTask(ModelTask task);
    // Whether the map kind offered now can draw something (the class-conditioned map needs an explanation).
    bool classMapOffered() const;
    // After a model change: drops the overrides of blocks the new network does not have (or whose radix or
    // group it lacks) and an explained class past its classes, so that its predictions do not all fail.
    // Returns what was dropped, for the window to say ("layer3.1=onehot:0", "explained class 12").
    QStringList dropWhatDoesNotApply(const ModelSummary& model);
    // What the render thread draws over the image.
    AttentionMapOptions mapOptions() const;
    // What the next predictions must do beyond the capture: overrides and the explained class.
    AttentionRequest attentionRequest() const;

    // Explorer controls, also for tests and scripted screenshots.
    void chooseBlock(const QString& name);
    QString chosenBlock() const;
    void setMapKind(AttentionMapKind kind);
    AttentionMapKind mapKind() const;
    QString colormap() const;
    void setColormap(const QString& name); // viridis, inferno, turbo, gray; others are ignored
    void setRadix(int radix);
    void setExplainClass(int cls); // AttentionRequest::kExplainNone, kExplainPredicted or a class index
    // Detectors: explain detection `index` (by decreasing score; kExplainNone: the best box of the class).
    void setExplainBox(int index);
    // A click on the image (ImageView::clicked): with a detector and "explain box" on, explains the best box
    // under it. Returns whether a box was picked.
    bool pickBoxAt(QPointF imagePos);
    void setOverride(const QString& block, const AttentionOverride& mode); // none lifts it
    void clearOverrides();
    // A drawn frame: its small multiples (RenderedFrame::radixViews).
    void showFrame(const RenderedFramePtr& frame);
    // The main view's visible part of the image, which the small multiples follow.
    void setVisibleRegion(QRectF imageRect);
    RadixMultiples* multiples() const { return multiples_; }
    AttentionTimeline* timeline() const { return timeline_; }
    // Keep probing the last position as new frames arrive (a pinned probe).
    void setProbePinned(bool on);
    // The image position under the cursor (ImageView::hovered).
    void probe(QPointF imagePos, bool inside);

    QString comparisonText() const;
    QString probeText() const;
    AttentionPlots* plots() const { return plots_; }
    BlockTree* blockTree() const { return tree_; }

    Q_SIGNAL void captureChanged(bool on);
    Q_SIGNAL void liveCaptureChanged(int every);
    Q_SIGNAL void mapChanged();
    Q_SIGNAL void requestChanged();
    // The timeline asks to pause the video at this frame and inspect it.
    Q_SIGNAL void frameRequested(qint64 frame);

private:
    void blockChanged();
    void refreshPlots();
    void refreshComparison();
    void refreshOverrideList();
    void updateClassMapChoice();
    void refreshProbe();
    int blockIndex() const;

    QCheckBox* capture_;
    QCheckBox* showMap_;
    QComboBox* liveEvery_;
    BlockTree* tree_;
    QComboBox* kind_;
    QComboBox* group_;
    QSpinBox* radix_;
    QSlider* opacity_;
    QComboBox* colormap_;
    QCheckBox* perMapScale_;
    QCheckBox* explain_;
    QSpinBox* explainClass_;
    QSpinBox* explainBox_;
    QComboBox* mode_;
    QSpinBox* modeIndex_;
    QPushButton* applyOverride_;
    QPushButton* clearOverrides_;
    QLabel* overrideList_;
    QLabel* comparison_;
    QLabel* probe_;
    QCheckBox* sortChannels_;
    AttentionPlots* plots_;
    RadixMultiples* multiples_;
    AttentionTimeline* timeline_;
    QCheckBox* pinProbe_;
    QPointer<QSplitter> workspace_;
    QPointF probeAt_{-1, -1};
    bool probeInside_ = false; // the cursor is over the image now
    FrameResultPtr current_;
    std::vector<BlockOverride> overrides_;
    // The probe reads the chosen maps on image pixels; projected once per frame and choice.
    std::vector<cv::Mat> probeMaps_;
    bool probeMapsValid_ = false;
    QString wantedBlock_; // chosen before the network's blocks were known
    bool detector_ = false;
};

} // namespace resnest
