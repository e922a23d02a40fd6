#pragma once

#include "ui/runtime/FrameResult.h"
#include "ui/runtime/ModelRequest.h"
#include "ui/runtime/ModelSummary.h"
#include "ui/runtime/RenderedFrame.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <deque>

class QDockWidget;
class QLabel;
class QProgressDialog;

namespace resnest {

class AttentionPanel;
class ColourBar;
class ImageView;
class InferenceController;
class ModelPanel;
class OverlayPanel;
class PlaybackBar;
class PretrainedModelDialog;
class ResultsPanel;
class ThumbnailStrip;

// The inspector: sources (image, folder, video, camera, stream), the model panel, overlay options, results
// and attention docks. Inference and drawing run on the controller's threads; this class only wires them
// and shows what arrives.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `restoreSettings` false starts on the bundled defaults whatever was saved (tests, --defaults).
    explicit MainWindow(bool restoreSettings = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    enum class SourceKind { None, Image, Folder, Video, Camera };

    // Picks by what the path is: a folder, a video (by extension), a checkpoint, else an image.
    void openPath(const QString& path);
    void openImage(const QString& path);
    void openFolder(const QString& path);
    // everyFrame: inspection playback (pause, step, seek); false: played as live, dropping frames.
    void openVideo(const QString& pathOrUrl, bool everyFrame = true);
    void openCamera(int index);
    void loadModel(const ModelRequest& request);
    void openCheckpoint(const QString& path);
    // File → Open pretrained model: the model catalogue; a chosen entry is downloaded and loaded.
    PretrainedModelDialog* openPretrainedDialog();

    bool exportView(const QString& path);
    bool exportResults(const QString& path);
    // The shown frame's attention: every captured tensor (.npz, resnest-cli export's names), per-block
    // statistics (.csv), or the small multiples of the chosen block (.png).
    bool exportAttention(const QString& path);
    void exportVideo(const QString& input, const QString& output);

    // For tests and the benchmark.
    InferenceController* controller() const { return controller_; }
    ImageView* view() const { return view_; }
    OverlayPanel* overlayPanel() const { return overlay_; }
    ResultsPanel* resultsPanel() const { return results_; }
    PlaybackBar* playbackBar() const { return playback_; }
    ThumbnailStrip* thumbnails() const { return thumbnails_; }
    ModelPanel* modelPanel() const { return modelPanel_; }
    AttentionPanel* attentionPanel() const { return attention_; }
    ColourBar* colourBar() const { return colourBar_; }
    // Draws the chosen block's radix map over the image and brings the Attention tab forward.
    void showRadixMap(bool on);
    const ModelSummaryPtr& model() const { return model_; }
    SourceKind sourceKind() const { return source_; }
    double displayedFps() const;
    static ModelRequest defaultModel();
    static QString defaultImage();

    Q_SIGNAL void frameShown(resnest::RenderedFramePtr frame);
    Q_SIGNAL void modelReady(resnest::ModelSummaryPtr summary);
    Q_SIGNAL void videoExportDone(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void showRendered(const RenderedFramePtr& frame);
    // "<shown> — ResNeSt Inspector", or the bare name when nothing is shown.
    void setTitle(const QString& shown);
    void showError(const QString& message);
    void updateStatus(const RenderedFrame& frame);
    void setSource(SourceKind kind);
    void applyPredictOptions();
    // Runs what is on screen again (a still, or a paused video frame) after the model or the request changed.
    void rerunShown();
    // The model zoo's cached checkpoints into the model panel's list.
    void refreshZooFiles();
    void showSampleIfNothingOpen();
    // The overlay panel's choices plus the attention map's.
    OverlayOptions overlayOptions() const;
    void saveSettings() const;
    void restoreFromSettings();
    void offerSampleVideo(const QString& why);
    // File dialogs start in the folder of the last file chosen in one (kept in the settings).
    QString remember(const QString& chosen);
    QString inDialogFolder(const QString& fileName) const;

    InferenceController* controller_;
    ImageView* view_;
    ModelPanel* modelPanel_;
    OverlayPanel* overlay_;
    ResultsPanel* results_;
    AttentionPanel* attention_;
    PlaybackBar* playback_;
    ThumbnailStrip* thumbnails_;
    QLabel* timings_;
    QLabel* fpsLabel_;
    QLabel* modelLabel_; // the model that runs, whichever tab is in front
    ColourBar* colourBar_;
    QDockWidget* attentionDock_;
    QDockWidget* mapsDock_; // the attention workspace: small multiples, probe, plots
    ModelSummaryPtr model_;
    ModelRequest pendingRequest_; // the model asked for last (model_->request: the one running)
    QString fallbackNote_;        // why the running model is the demo instead of the one asked for
    QString sourceMessage_;       // "Analysing x.jpg...", "Playing v.avi": cleared when no longer true
    RenderedFramePtr shown_;
    SourceKind source_ = SourceKind::None;
    QString sourcePath_;
    QString dialogFolder_;
    std::deque<qint64> shownAtMs_; // display times of the last frames, for the FPS
    QElapsedTimer clock_;
    qint64 panelsAtMs_ = -1000;
    QPointer<QProgressDialog> exportProgress_;
    QPointer<PretrainedModelDialog> pretrained_;
};

} // namespace resnest
