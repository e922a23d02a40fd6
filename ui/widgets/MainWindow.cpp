#include "ui/widgets/MainWindow.h"

#include "core/api/ResourceLocator.h"
#include "core/attention/AttentionExport.h"
#include "core/imaging/HeatmapRenderer.h"
#include "core/imaging/RadixSheet.h"
#include "core/inference/PredictionJson.h"
#include "core/io/AtomicFileWriter.h"
#include "core/media/ImageFolder.h"
#include "core/zoo/ModelZoo.h"
#include "ui/runtime/InferenceController.h"
#include "ui/runtime/SteadyClock.h"
#include "ui/runtime/VideoExportJob.h"
#include "ui/widgets/AttentionPanel.h"
#include "ui/widgets/AttentionTimeline.h"
#include "ui/widgets/ColourBar.h"
#include "ui/widgets/ImageView.h"
#include "ui/widgets/ModelPanel.h"
#include "ui/widgets/OverlayPanel.h"
#include "ui/widgets/PlaybackBar.h"
#include "ui/widgets/PretrainedModelDialog.h"
#include "ui/widgets/ResultsPanel.h"
#include "ui/widgets/ThumbnailStrip.h"
#include "ui/widgets/WheelGuard.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QThread>
#include <QVBoxLayout>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace resnest {

namespace {

const QStringList kVideoSuffixes{"avi", "mp4",  "mkv", "mov", "webm", "m4v",
                                 "mpg", "mpeg", "wmv", "flv", "ogv"};
const QStringList kCheckpointSuffixes{"safetensors", "pth", "pt", "ckpt", "bin"};
// saveState's version: raised when the docks change, so that an older saved layout is not applied.
constexpr int kLayoutVersion = 2;

QString resource(const char* relative) {
    try {
        return QString::fromStdString(ResourceLocator::find(relative));
    } catch (const std::exception&) {
        return {};
    }
}

// What the small multiples show for a map kind (a dominant-radix map is shown as its radix maps).
QString multiplesKind(AttentionMapKind kind) {
    switch (kind) {
    case AttentionMapKind::Difference:
        return QStringLiteral("radix minus the others");
    case AttentionMapKind::ClassConditioned:
        return QStringLiteral("class-conditioned");
    case AttentionMapKind::Radix:
    case AttentionMapKind::Dominant:
        break;
    }
    return QStringLiteral("radix maps");
}

} // namespace

ModelRequest MainWindow::defaultModel() {
    // The bundled demo detector (digits, trained by resnest-train); without it, a resnest14d classifier
    // with seeded random weights, which the model panel marks as such.
    ModelRequest r;
    r.weights = resource("demo/models/digits-detect.safetensors");
    if (r.weights.isEmpty())
        r.arch = QStringLiteral("resnest14d");
    return r;
}

QString MainWindow::defaultImage() {
    const QString sample = resource("demo/samples/digits-scene-1.jpg");
    return sample.isEmpty() ? QStringLiteral("/usr/share/doc/opencv-doc/examples/data/messi5.jpg") : sample;
}

MainWindow::MainWindow(bool restoreSettings, QWidget* parent)
    : QMainWindow(parent), controller_(new InferenceController(this)) {
    setTitle({});
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    clock_.start();

    view_ = new ImageView;
    view_->setMessage(tr("Drop an image, a folder or a video here"));
    thumbnails_ = new ThumbnailStrip;
    thumbnails_->hide();
    playback_ = new PlaybackBar;
    playback_->hide();
    colourBar_ = new ColourBar;
    auto* central = new QWidget;
    auto* column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    column->addWidget(thumbnails_);
    auto* viewRow = new QHBoxLayout;
    viewRow->setSpacing(0);
    viewRow->addWidget(view_, 1);
    viewRow->addWidget(colourBar_);
    column->addLayout(viewRow, 1);
    column->addWidget(playback_);
    setCentralWidget(central);

    modelPanel_ = new ModelPanel(InferenceController::availableDevices());
    overlay_ = new OverlayPanel;
    results_ = new ResultsPanel;
    attention_ = new AttentionPanel;
    auto dock = [this](QWidget* w, const QString& title, const char* name, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(QString::fromLatin1(name));
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    // Settings on the right, one tab group (the running model is named in the status bar); what the attention
    // looks like below the image, where it has the window's width.
    QDockWidget* modelDock = dock(modelPanel_, tr("Model"), "modelDock", Qt::RightDockWidgetArea);
    QDockWidget* resultsDock = dock(results_, tr("Results"), "resultsDock", Qt::RightDockWidgetArea);
    QDockWidget* overlayDock = dock(overlay_, tr("Overlay"), "overlayDock", Qt::RightDockWidgetArea);
    attentionDock_ = dock(attention_, tr("Attention"), "attentionDock", Qt::RightDockWidgetArea);
    mapsDock_ =
        dock(attention_->workspace(), tr("Attention maps"), "attentionMapsDock", Qt::BottomDockWidgetArea);
    // The settings column runs the window's full height; the workspace takes the width under the image.
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    tabifyDockWidget(modelDock, resultsDock);
    tabifyDockWidget(resultsDock, overlayDock);
    tabifyDockWidget(overlayDock, attentionDock_);
    resultsDock->raise();
    resizeDocks({modelDock}, {440}, Qt::Horizontal);
    resizeDocks({mapsDock_}, {260}, Qt::Vertical);
    for (QWidget* w : {static_cast<QWidget*>(modelPanel_), static_cast<QWidget*>(overlay_),
                       static_cast<QWidget*>(attention_), attention_->workspace()})
        WheelGuard::install(w);

    timings_ = new QLabel;
    fpsLabel_ = new QLabel;
    modelLabel_ = new QLabel;
    statusBar()->addWidget(timings_, 1);
    statusBar()->addPermanentWidget(modelLabel_);
    statusBar()->addPermanentWidget(fpsLabel_);

    buildMenus();
    QMenu* docks = menuBar()->addMenu(tr("&Window"));
    for (QDockWidget* d : {modelDock, resultsDock, overlayDock, attentionDock_, mapsDock_})
        docks->addAction(d->toggleViewAction());
    // Small multiples are drawn only while someone can see them.
    connect(mapsDock_, &QDockWidget::visibilityChanged, this,
            [this] { controller_->setOverlayOptions(overlayOptions()); });

    connect(controller_, &InferenceController::modelLoading, modelPanel_, &ModelPanel::setLoading);
    connect(controller_, &InferenceController::modelLoaded, this, [this](const ModelSummaryPtr& s) {
        model_ = s;
        modelLabel_->setText(QStringLiteral("%1 · %2 · %3")
                                 .arg(QString::fromStdString(s->info.architecture),
                                      QString::fromStdString(taskName(s->task)), s->device));
        modelLabel_->setToolTip(s->description);
        modelPanel_->setRequest(s->request);
        modelPanel_->setLoaded(*s);
        if (!fallbackNote_.isEmpty()) {
            modelPanel_->addNote(fallbackNote_);
            fallbackNote_.clear();
        }
        overlay_->setLabels(s->labels, s->task);
        attention_->setModelTask(s->task);
        const QStringList dropped = attention_->dropWhatDoesNotApply(*s);
        controller_->setOverlayOptions(overlayOptions());
        if (dropped.isEmpty())
            statusBar()->showMessage(tr("Model ready: %1").arg(s->description), 5000);
        else
            statusBar()->showMessage(tr("Model ready: %1. Dropped what it does not have: %2")
                                         .arg(s->description, dropped.join(QStringLiteral(", "))));
        // What is on screen was made by the previous model: run it again.
        rerunShown();
        Q_EMIT modelReady(s);
    });
    connect(controller_, &InferenceController::modelFailed, this, [this](const QString& msg) {
        if (model_) {
            // The previous model keeps running: the panel names it, and nothing of the failed one is kept.
            modelPanel_->setRequest(model_->request);
            modelPanel_->setFailed(msg, model_->description);
            showError(tr("Could not load the model: %1").arg(msg));
        } else if (pendingRequest_ != defaultModel()) {
            // Nothing runs yet (a saved or given model failed at start): the demo model, saying why.
            fallbackNote_ = tr("%1 could not be loaded (%2): the demo model instead.")
                                .arg(QFileInfo(pendingRequest_.weights).fileName(), msg);
            statusBar()->showMessage(fallbackNote_);
            loadModel(defaultModel());
        } else {
            modelPanel_->setFailed(msg);
            showError(tr("Could not load the model: %1").arg(msg));
        }
    });
    connect(controller_, &InferenceController::frameRendered, this, &MainWindow::showRendered);
    connect(controller_, &InferenceController::jobFailed, this, [this](quint64, const QString& msg) {
        // A still that failed is not what is on screen: the title goes back to the one that is.
        if (source_ == SourceKind::Image || source_ == SourceKind::Folder) {
            const bool stillShown = shown_ && shown_->result && !shown_->result->live;
            setTitle(stillShown ? QFileInfo(shown_->result->source).fileName() : QString());
            // Nor is it what a model change or a new request runs again.
            sourcePath_ = stillShown ? shown_->result->source : QString();
        }
        showError(msg);
    });
    connect(controller_, &InferenceController::videoOpened, this,
            [this](const QString& name, qint64 frames, double fps) {
                playback_->setSource(QFileInfo(name).fileName().isEmpty() ? name : QFileInfo(name).fileName(),
                                     frames, fps, source_ == SourceKind::Camera || frames <= 0);
                playback_->show();
                attention_->timeline()->clear();
            });
    connect(controller_, &InferenceController::videoPosition, playback_, &PlaybackBar::setPosition);
    connect(controller_, &InferenceController::videoPlaying, this, [this](bool playing) {
        playback_->setPlaying(playing);
        // "Playing x" is not true while paused.
        if (!playing && !sourceMessage_.isEmpty() && statusBar()->currentMessage() == sourceMessage_)
            statusBar()->clearMessage();
        else if (playing && !sourceMessage_.isEmpty() && statusBar()->currentMessage().isEmpty())
            statusBar()->showMessage(sourceMessage_);
    });
    connect(controller_, &InferenceController::videoFinished, this, [this] {
        statusBar()->showMessage(tr("End of video: %1 of %2 frames dropped")
                                     .arg(controller_->droppedFrames())
                                     .arg(controller_->grabbedFrames()));
    });
    connect(controller_, &InferenceController::videoInterrupted, this,
            [this](const QString& msg, int retryInMs) {
                // Over the last frame, so that a frozen picture is never mistaken for a live one; nor is the
                // rate of frames that stopped coming.
                showError(tr("%1 (next try in %2 s)").arg(msg).arg(retryInMs / 1000.0, 0, 'f', 1));
                shownAtMs_.clear();
                fpsLabel_->setText(tr("no frames"));
            });
    connect(controller_, &InferenceController::videoResumed, this, [this](const QString& name) {
        view_->setMessage(QString());
        statusBar()->showMessage(tr("%1 is back").arg(name), 5000);
    });
    connect(controller_, &InferenceController::videoSkipped, this, [this](qint64 count) {
        statusBar()->showMessage(tr("%n undecodable frame(s) skipped", nullptr, int(count)), 5000);
    });
    connect(controller_, &InferenceController::videoFailed, this, [this](const QString& msg) {
        if (source_ == SourceKind::Camera) {
            // No camera: nothing plays, so neither the playback bar (of an earlier video) nor the title says
            // so.
            playback_->hide();
            setTitle({});
            offerSampleVideo(msg);
        } else {
            showError(msg);
        }
    });

    connect(modelPanel_, &ModelPanel::loadRequested, this, &MainWindow::loadModel);
    connect(overlay_, &OverlayPanel::optionsChanged, this,
            [this] { controller_->setOverlayOptions(overlayOptions()); });
    connect(attention_, &AttentionPanel::captureChanged, this, &MainWindow::applyPredictOptions);
    connect(attention_, &AttentionPanel::liveCaptureChanged, controller_,
            &InferenceController::setLiveCaptureEvery);
    connect(attention_, &AttentionPanel::requestChanged, this, [this] {
        applyPredictOptions();
        // What is on screen is run again under the new request; playing video picks it up as frames come.
        rerunShown();
    });
    connect(view_, &ImageView::hovered, attention_, &AttentionPanel::probe);
    connect(view_, &ImageView::clicked, attention_, &AttentionPanel::pickBoxAt);
    connect(view_, &ImageView::viewportChanged, attention_, &AttentionPanel::setVisibleRegion);
    connect(view_, &ImageView::displayAreaChanged, controller_, &InferenceController::setDisplayArea);
    connect(attention_, &AttentionPanel::frameRequested, this, [this](qint64 frame) {
        controller_->pauseVideo();
        controller_->seekVideo(frame); // read while paused: captured whatever the live sampling
    });
    connect(attention_, &AttentionPanel::mapChanged, this,
            [this] { controller_->setOverlayOptions(overlayOptions()); });
    connect(thumbnails_, &ThumbnailStrip::imageChosen, this, [this](const QString& path) {
        sourcePath_ = path;
        controller_->requestFile(path);
        setTitle(QFileInfo(path).fileName());
    });
    connect(playback_, &PlaybackBar::playRequested, controller_, &InferenceController::resumeVideo);
    connect(playback_, &PlaybackBar::pauseRequested, controller_, &InferenceController::pauseVideo);
    connect(playback_, &PlaybackBar::stepRequested, controller_, &InferenceController::stepVideo);
    connect(playback_, &PlaybackBar::seekRequested, controller_, &InferenceController::seekVideo);
    connect(playback_, &PlaybackBar::stopRequested, this, [this] {
        controller_->stopVideo();
        playback_->setPlaying(false);
    });

    ModelRequest request = defaultModel();
    if (restoreSettings) {
        restoreFromSettings();
        QSettings s;
        if (s.contains(QStringLiteral("model/weights"))) {
            ModelRequest saved;
            saved.weights = s.value(QStringLiteral("model/weights")).toString();
            saved.arch = s.value(QStringLiteral("model/arch")).toString();
            saved.task = s.value(QStringLiteral("model/task")).toString();
            saved.device = s.value(QStringLiteral("model/device"), saved.device).toString();
            saved.precision = s.value(QStringLiteral("model/precision"), saved.precision).toString();
            saved.shortSide = s.value(QStringLiteral("model/shortSide"), saved.shortSide).toInt();
            // A checkpoint that was moved or deleted since: start on the demo instead of an error.
            if (saved.weights.isEmpty() || QFileInfo::exists(saved.weights))
                request = saved;
        }
    }
    refreshZooFiles();
    applyPredictOptions();
    controller_->setOverlayOptions(overlayOptions());
    modelPanel_->setRequest(request);
    loadModel(request);
}

MainWindow::~MainWindow() {
    // ~QWidget hides the children after this object's members are gone, and a hidden dock still says so
    // (visibilityChanged) to the handlers given `this` as context: UndefinedBehaviorSanitizer caught one
    // running on the half-destroyed window. The children have nothing more to tell it.
    for (QObject* child : findChildren<QObject*>())
        QObject::disconnect(child, nullptr, this, nullptr);
}

void MainWindow::showRadixMap(bool on) {
    attention_->setMapShown(on);
    if (on) {
        attentionDock_->raise();
        mapsDock_->show();
    }
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open image..."), QKeySequence::Open, this, [this] {
        const QString p = remember(QFileDialog::getOpenFileName(
            this, tr("Open image"), dialogFolder_,
            tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)")));
        if (!p.isEmpty())
            openImage(p);
    });
    file->addAction(tr("Open &folder..."), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
        const QString p = remember(QFileDialog::getExistingDirectory(this, tr("Open folder"), dialogFolder_));
        if (!p.isEmpty())
            openFolder(p);
    });
    file->addAction(tr("Open &video..."), QKeySequence(tr("Ctrl+Shift+V")), this, [this] {
        const QString p = remember(
            QFileDialog::getOpenFileName(this, tr("Open video"), dialogFolder_,
                                         tr("Videos (*.avi *.mp4 *.mkv *.mov *.webm);;All files (*)")));
        if (!p.isEmpty())
            openVideo(p, true);
    });
    file->addAction(tr("Play video as &live..."), QKeySequence(tr("Ctrl+L")), this, [this] {
        const QString p = remember(
            QFileDialog::getOpenFileName(this, tr("Play video as live"), dialogFolder_,
                                         tr("Videos (*.avi *.mp4 *.mkv *.mov *.webm);;All files (*)")));
        if (!p.isEmpty())
            openVideo(p, false);
    });
    file->addAction(tr("Play the &sample video as live"), this, [this] {
        const QString sample = resource("demo/samples/digits-video.avi");
        if (sample.isEmpty())
            showError(tr("The sample video is not installed with this build."));
        else
            openVideo(sample, false);
    });
    file->addAction(tr("Open &camera..."), QKeySequence(tr("Ctrl+K")), this, [this] {
        bool ok = false;
        const int index =
            QInputDialog::getInt(this, tr("Open camera"), tr("Camera index:"), 0, 0, 63, 1, &ok);
        if (ok)
            openCamera(index);
    });
    file->addAction(tr("Open stream &URL..."), QKeySequence(tr("Ctrl+U")), this, [this] {
        bool ok = false;
        const QString url = QInputDialog::getText(this, tr("Open stream"), tr("RTSP or HTTP URL:"),
                                                  QLineEdit::Normal, QStringLiteral("rtsp://"), &ok);
        if (ok && !url.trimmed().isEmpty())
            openVideo(url.trimmed(), false);
    });
    file->addAction(tr("Open chec&kpoint..."), QKeySequence(tr("Ctrl+M")), modelPanel_,
                    &ModelPanel::chooseCheckpoint);
    file->addAction(tr("Open &pretrained model..."), QKeySequence(tr("Ctrl+Shift+M")), this,
                    &MainWindow::openPretrainedDialog);
    file->addSeparator();
    file->addAction(tr("&Export view as PNG..."), QKeySequence::Save, this, [this] {
        const QString p = remember(QFileDialog::getSaveFileName(
            this, tr("Export view"), inDialogFolder(QStringLiteral("view.png")), tr("PNG images (*.png)")));
        if (!p.isEmpty())
            exportView(p);
    });
    file->addAction(tr("Export &results as JSON..."), QKeySequence(tr("Ctrl+Shift+S")), this, [this] {
        const QString p = remember(QFileDialog::getSaveFileName(
            this, tr("Export results"), inDialogFolder(QStringLiteral("results.json")), tr("JSON (*.json)")));
        if (!p.isEmpty())
            exportResults(p);
    });
    file->addAction(tr("Export &attention..."), QKeySequence(tr("Ctrl+Shift+A")), this, [this] {
        const QString p = remember(QFileDialog::getSaveFileName(
            this, tr("Export attention"), inDialogFolder(QStringLiteral("attention.npz")),
            tr("Captured tensors (*.npz);;Per-block statistics (*.csv);;Radix maps of the block (*.png)")));
        if (!p.isEmpty())
            exportAttention(p);
    });
    file->addAction(tr("Export processed &video..."), QKeySequence(tr("Ctrl+E")), this, [this] {
        QString input = source_ == SourceKind::Video ? sourcePath_ : QString();
        if (input.isEmpty() || input.contains(QStringLiteral("://")))
            input = remember(
                QFileDialog::getOpenFileName(this, tr("Video to process"), dialogFolder_,
                                             tr("Videos (*.avi *.mp4 *.mkv *.mov *.webm);;All files (*)")));
        if (input.isEmpty())
            return;
        const QString output = remember(QFileDialog::getSaveFileName(
            this, tr("Export processed video"),
            inDialogFolder(QFileInfo(input).completeBaseName() + QStringLiteral("-overlay.avi")),
            tr("AVI, Motion JPEG (*.avi);;MP4, MPEG-4 part 2 (*.mp4)")));
        if (!output.isEmpty())
            exportVideo(input, output);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, this,
                    [this] { view_->zoomBy(1.25, QPointF(view_->width() / 2.0, view_->height() / 2.0)); });
    view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, this,
                    [this] { view_->zoomBy(0.8, QPointF(view_->width() / 2.0, view_->height() / 2.0)); });
    view->addAction(tr("&Fit to window"), QKeySequence(tr("Ctrl+0")), view_, &ImageView::fitToWindow);
    view->addAction(tr("&Actual size"), QKeySequence(tr("Ctrl+1")), view_, &ImageView::actualSize);
    view->addSeparator();
    view->addAction(tr("&Next image"), QKeySequence(Qt::Key_PageDown), thumbnails_, &ThumbnailStrip::next);
    view->addAction(tr("&Previous image"), QKeySequence(Qt::Key_PageUp), thumbnails_,
                    &ThumbnailStrip::previous);
    view->addAction(tr("Play / &pause"), QKeySequence(Qt::Key_Space), playback_, &PlaybackBar::togglePlay);
    view->addAction(tr("&Step one frame"), QKeySequence(Qt::Key_Period), playback_,
                    &PlaybackBar::stepRequested);
}

void MainWindow::applyPredictOptions() {
    PredictOptions o = controller_->predictOptions();
    o.captureAttention = attention_->captureEnabled();
    o.attention = attention_->attentionRequest();
    controller_->setPredictOptions(o);
}

void MainWindow::loadModel(const ModelRequest& request) {
    pendingRequest_ = request;
    controller_->loadModel(request);
}

void MainWindow::openCheckpoint(const QString& path) {
    ModelRequest r = modelPanel_->request();
    r.weights = path;
    r.task.clear();
    modelPanel_->setRequest(r);
    loadModel(r);
}

void MainWindow::setSource(SourceKind kind) {
    if ((source_ == SourceKind::Video || source_ == SourceKind::Camera) &&
        !(kind == SourceKind::Video || kind == SourceKind::Camera))
        controller_->stopVideo();
    source_ = kind;
    // Messages about the previous source (an error, "Analysing", "Playing") are not about this one.
    statusBar()->clearMessage();
    view_->setMessage({});
    sourceMessage_.clear();
    thumbnails_->setVisible(kind == SourceKind::Folder);
    playback_->setVisible(kind == SourceKind::Video || kind == SourceKind::Camera);
    shownAtMs_.clear();
}

void MainWindow::openPath(const QString& path) {
    const QFileInfo info(path);
    const QString suffix = info.suffix().toLower();
    if (info.isDir())
        openFolder(path);
    else if (kVideoSuffixes.contains(suffix))
        openVideo(path, true);
    else if (kCheckpointSuffixes.contains(suffix)) {
        openCheckpoint(path);
        showSampleIfNothingOpen();
    } else
        openImage(path);
}

void MainWindow::openImage(const QString& path) {
    setSource(SourceKind::Image);
    sourcePath_ = path;
    setTitle(QFileInfo(path).fileName());
    sourceMessage_ = tr("Analysing %1...").arg(QFileInfo(path).fileName());
    statusBar()->showMessage(sourceMessage_);
    controller_->requestFile(path);
}

void MainWindow::openFolder(const QString& path) {
    std::vector<std::string> files, annotations;
    try {
        files = ImageFolder::list(path.toStdString(), &annotations);
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return;
    }
    if (files.empty()) {
        showError(tr("No images in %1").arg(path));
        return;
    }
    setSource(SourceKind::Folder);
    QStringList paths;
    for (const auto& f : files)
        paths << QString::fromStdString(f);
    thumbnails_->setFiles(paths);
    thumbnails_->select(0);
    // A dataset folder's ground truth is not something to analyse; say what was left out and why.
    if (!annotations.empty())
        statusBar()->showMessage((annotations.size() == 1
                                      ? tr("1 ground-truth image left out (named like a photo beside it: %2)")
                                      : tr("%1 ground-truth images left out (named like a photo beside them, "
                                           "e.g. %2)"))
                                     .arg(annotations.size())
                                     .arg(QFileInfo(QString::fromStdString(annotations.front())).fileName()));
}

void MainWindow::openVideo(const QString& pathOrUrl, bool everyFrame) {
    setSource(SourceKind::Video);
    sourcePath_ = pathOrUrl;
    setTitle(QFileInfo(pathOrUrl).fileName());
    sourceMessage_ = everyFrame ? tr("Playing %1").arg(pathOrUrl) : tr("Playing %1 as live").arg(pathOrUrl);
    statusBar()->showMessage(sourceMessage_);
    controller_->openVideo(pathOrUrl, everyFrame);
}

void MainWindow::openCamera(int index) {
    setSource(SourceKind::Camera);
    sourcePath_ = tr("camera %1").arg(index);
    setTitle(tr("Camera %1").arg(index));
    controller_->openCamera(index);
}

void MainWindow::offerSampleVideo(const QString& why) {
    const QString sample = resource("demo/samples/digits-video.avi");
    if (sample.isEmpty()) {
        showError(why);
        return;
    }
    // One message for one failure: the cause where the picture would be, and the dialog only offers the
    // sample (it does not repeat the cause, nor does the status bar).
    view_->setMessage(why);
    statusBar()->clearMessage();
    // Window-modal but not blocking: the event loop (and a test driving it) keeps running.
    auto* box = new QMessageBox(QMessageBox::Information, tr("No camera"),
                                tr("Live mode can be tried without a camera on the bundled sample video."),
                                QMessageBox::Close, this);
    QPushButton* play = box->addButton(tr("Play the sample video as live"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, play, sample](QAbstractButton* b) {
        if (b == play)
            openVideo(sample, false);
    });
    box->open();
}

PretrainedModelDialog* MainWindow::openPretrainedDialog() {
    if (!pretrained_) {
        pretrained_ = new PretrainedModelDialog(this);
        connect(pretrained_, &PretrainedModelDialog::modelChosen, this,
                [this](const QString& path, const QString& task) {
                    ModelRequest r = modelPanel_->request();
                    r.weights = path;
                    r.task = task;
                    r.arch.clear();
                    modelPanel_->setRequest(r);
                    loadModel(r);
                    showSampleIfNothingOpen();
                    refreshZooFiles();
                });
    }
    // Not modal: the window and its model stay usable while a download runs.
    pretrained_->show();
    pretrained_->raise();
    return pretrained_;
}

void MainWindow::showSampleIfNothingOpen() {
    // A model opened from the file manager, dropped on an empty window or downloaded: something to look at.
    if (source_ == SourceKind::None && QFileInfo::exists(defaultImage()))
        openImage(defaultImage());
}

void MainWindow::refreshZooFiles() {
    QStringList files;
    try {
        const ModelZoo zoo(Catalogue::load());
        for (const CatalogueEntry& e : zoo.catalogue().entries())
            if (const std::string path = zoo.cached(e, false); !path.empty() && e.runnable)
                files << QString::fromStdString(path);
    } catch (const std::exception&) {
        // A broken user catalogue is reported where the catalogue is used (the dialog); the list stays as it
        // was.
        return;
    }
    modelPanel_->setZooFiles(files);
}

void MainWindow::rerunShown() {
    if ((source_ == SourceKind::Image || source_ == SourceKind::Folder) && !sourcePath_.isEmpty()) {
        controller_->requestFile(sourcePath_);
    } else if (source_ == SourceKind::Video && !playback_->playing() &&
               playback_->seekSlider()->isEnabled() && shown_ && shown_->result && shown_->result->live) {
        // A paused frame would otherwise keep showing what the previous model or request made of it.
        controller_->seekVideo(qint64(shown_->result->jobId));
    }
}

QString MainWindow::remember(const QString& chosen) {
    if (!chosen.isEmpty())
        dialogFolder_ = QFileInfo(chosen).isDir() ? chosen : QFileInfo(chosen).absolutePath();
    return chosen;
}

QString MainWindow::inDialogFolder(const QString& fileName) const {
    return dialogFolder_.isEmpty() ? fileName : QDir(dialogFolder_).filePath(fileName);
}

void MainWindow::setTitle(const QString& shown) {
    setWindowTitle(shown.isEmpty() ? tr("ResNeSt Inspector") : tr("%1 — ResNeSt Inspector").arg(shown));
}

void MainWindow::showError(const QString& message) {
    statusBar()->showMessage(message);
    view_->setMessage(message);
}

void MainWindow::showRendered(const RenderedFramePtr& frame) {
    const bool liveSource = source_ == SourceKind::Video || source_ == SourceKind::Camera;
    // A result still in flight when the user switched source belongs to the old one.
    if (!frame->result || frame->result->live != liveSource)
        return;
    shown_ = frame;
    // "Analysing x.jpg..." is over once its result is on screen (it hid the per-stage timings).
    if (!frame->result->live && !sourceMessage_.isEmpty() &&
        statusBar()->currentMessage() == sourceMessage_) {
        statusBar()->clearMessage();
        sourceMessage_.clear();
    }
    // Side panels and the status line are text nobody reads at 25 Hz, and on a 2-core machine their
    // layout and replotting would take time from the model: live, they follow at most 5 times a second.
    const qint64 now = clock_.elapsed();
    const bool panels = !frame->result->live || now - panelsAtMs_ >= 200;
    if (panels) {
        panelsAtMs_ = now;
        attention_->showResult(frame->result);
        attention_->showFrame(frame);
    }
    if (!view_->message().isEmpty())
        view_->setMessage(QString());
    view_->setFrame(frame); // the attention map, when on, was drawn on the render thread
    colourBar_->setScale(frame->map, QString::fromStdString(frame->options.attention.colormap));
    shownAtMs_.push_back(now);
    while (shownAtMs_.size() > 1 && shownAtMs_.back() - shownAtMs_.front() > 2000)
        shownAtMs_.pop_front();
    if (panels) {
        results_->show(*frame);
        updateStatus(*frame);
    }
    Q_EMIT frameShown(frame);
}

OverlayOptions MainWindow::overlayOptions() const {
    OverlayOptions o = overlay_->options();
    o.attention = attention_->mapOptions();
    // The window shows the scale beside the view (ColourBar), where zooming does not take it away.
    o.attention.colourBar = false;
    o.attention.multiples = mapsDock_->isVisible();
    return o;
}

double MainWindow::displayedFps() const {
    if (shownAtMs_.size() < 2)
        return 0.0;
    const double span = double(shownAtMs_.back() - shownAtMs_.front()) / 1000.0;
    return span > 0 ? double(shownAtMs_.size() - 1) / span : 0.0;
}

void MainWindow::updateStatus(const RenderedFrame& frame) {
    const FrameResult& r = *frame.result;
    const Prediction& p = r.prediction;
    // A live source's read includes the wait for its next frame: "capture", not "decode".
    QString text = (r.live ? tr("capture %1 · preprocess %2 · infer %3 · postprocess %4 · render %5 ms")
                           : tr("decode %1 · preprocess %2 · infer %3 · postprocess %4 · render %5 ms"))
                       .arg(r.decodeMs, 0, 'f', 1)
                       .arg(p.preprocessMs, 0, 'f', 1)
                       .arg(p.inferMs, 0, 'f', 1)
                       .arg(p.postprocessMs, 0, 'f', 1)
                       .arg(frame.renderMs, 0, 'f', 1);
    if (r.live) {
        text += tr(" · latency %1 ms").arg(double(steadyNowNs() - r.capturedNs) / 1e6, 0, 'f', 0);
        playback_->setCounters(
            tr("dropped %1 of %2").arg(controller_->droppedFrames()).arg(controller_->grabbedFrames()));
        fpsLabel_->setText(tr("%1 FPS").arg(displayedFps(), 0, 'f', 1));
    } else {
        fpsLabel_->setText(QFileInfo(r.source).fileName());
    }
    timings_->setText(text);
}

bool MainWindow::exportView(const QString& path) {
    const QImage image = view_->grabView();
    if (image.isNull()) {
        showError(tr("Nothing to export yet."));
        return false;
    }
    QSaveFile out(path); // written to a temporary and renamed: an existing file is never left half-written
    if (!out.open(QIODevice::WriteOnly) || !image.save(&out, "PNG") || !out.commit()) {
        showError(tr("Could not write %1: %2").arg(path, out.errorString()));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    return true;
}

bool MainWindow::exportResults(const QString& path) {
    if (!shown_ || !shown_->result || !shown_->result->model) {
        showError(tr("Nothing to export yet."));
        return false;
    }
    const FrameResult& r = *shown_->result;
    try {
        // A video frame keeps its number ("frame 41", COCO image_id 41), as on the playback bar.
        PredictionJson::writeFile(path.toStdString(), r.prediction, r.model->labels,
                                  QFileInfo(r.source).fileName().toStdString(),
                                  r.live ? std::int64_t(r.jobId) : 0);
        if (r.prediction.task == ModelTask::Segment) {
            // The class index of every pixel beside the JSON, as an 8- or 16-bit PNG.
            const cv::Mat& labels = r.prediction.segmentation.labels;
            cv::Mat png;
            labels.convertTo(png, r.model->labels.size() > 256 ? CV_16U : CV_8U);
            std::vector<uchar> bytes;
            if (!cv::imencode(".png", png, bytes))
                throw std::runtime_error("cannot encode the class-index PNG");
            const QFileInfo info(path);
            io::AtomicFileWriter::writeFile(
                info.dir().filePath(info.completeBaseName() + QStringLiteral("-labels.png")).toStdString(),
                bytes.data(), bytes.size());
        }
    } catch (const std::exception& e) {
        showError(tr("Could not export the results: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    return true;
}

bool MainWindow::exportAttention(const QString& path) {
    if (!shown_ || !shown_->result || shown_->result->prediction.blocks.empty()) {
        showError(tr("No attention was captured for the shown frame (Attention tab: capture attention)."));
        return false;
    }
    const std::vector<AttentionBlock>& blocks = shown_->result->prediction.blocks;
    const QString suffix = QFileInfo(path).suffix().toLower();
    try {
        if (suffix == QLatin1String("csv")) {
            io::AtomicFileWriter::writeFile(path.toStdString(), AttentionExport::blockCsv(blocks));
        } else if (suffix == QLatin1String("png")) {
            if (shown_->radixViews.empty())
                throw std::runtime_error(
                    "no radix maps are drawn (Window menu: Attention maps, or draw the map over the image)");
            std::vector<cv::Mat> views;
            for (const cv::Mat& pixels : shown_->radixViews) {
                cv::Mat bgr;
                cv::cvtColor(pixels, bgr, cv::COLOR_BGRA2BGR);
                views.push_back(bgr);
            }
            const AttentionMapOptions& map = shown_->options.attention;
            const cv::Mat sheet = RadixSheet::compose(
                views, shown_->radixRanges, HeatmapRenderer::colormapByName(map.colormap),
                QStringLiteral("%1 · %2 · %3")
                    .arg(QFileInfo(shown_->result->source).fileName(),
                         QString::fromStdString(PredictionRenderer::chosenBlock(blocks, map.block).name),
                         multiplesKind(map.kind))
                    .toStdString());
            std::vector<uchar> bytes;
            if (!cv::imencode(".png", sheet, bytes))
                throw std::runtime_error("cannot encode the PNG");
            io::AtomicFileWriter::writeFile(path.toStdString(), bytes.data(), bytes.size());
        } else {
            AttentionExport::writeNpz(path.toStdString(), blocks);
        }
    } catch (const std::exception& e) {
        showError(tr("Could not export the attention: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    return true;
}

void MainWindow::exportVideo(const QString& input, const QString& output) {
    auto* thread = new QThread(this);
    auto* job = new VideoExportJob(model_ ? model_->request : pendingRequest_, controller_->predictOptions(),
                                   controller_->overlayOptions());
    job->moveToThread(thread);
    connect(thread, &QThread::finished, job, &QObject::deleteLater);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    exportProgress_ = new QProgressDialog(tr("Processing %1...").arg(QFileInfo(input).fileName()),
                                          tr("Cancel"), 0, 0, this);
    exportProgress_->setWindowModality(Qt::WindowModal);
    exportProgress_->setMinimumDuration(0);
    exportProgress_->setAttribute(Qt::WA_DeleteOnClose);
    connect(exportProgress_, &QProgressDialog::canceled, this, [job] { job->cancel(); });
    connect(job, &VideoExportJob::progress, this, [this](qint64 done, qint64 total) {
        if (!exportProgress_)
            return;
        exportProgress_->setLabelText(total > 0 ? tr("Frame %1 of %2").arg(done).arg(total)
                                                : tr("Frame %1").arg(done));
        if (total > 0)
            exportProgress_->setMaximum(int(total));
        // Last: a modal dialog's setValue runs the event loop, where the job may finish and close the dialog.
        exportProgress_->setValue(int(std::min(done, total > 0 ? total - 1 : done)));
    });
    auto done = [this, thread](const QString& message) {
        if (exportProgress_) {
            exportProgress_->close();
            exportProgress_ = nullptr;
        }
        statusBar()->showMessage(message);
        thread->quit();
        Q_EMIT videoExportDone(message);
    };
    connect(job, &VideoExportJob::finished, this, [done](const QString& out, qint64 frames) {
        done(tr("Wrote %1 (%2 frames)").arg(out).arg(frames));
    });
    connect(job, &VideoExportJob::cancelled, this,
            [done] { done(tr("Video export cancelled; nothing written")); });
    connect(job, &VideoExportJob::failed, this,
            [done](const QString& msg) { done(tr("Video export failed: %1").arg(msg)); });
    thread->setObjectName(QStringLiteral("export"));
    thread->start();
    QMetaObject::invokeMethod(job, "run", Qt::QueuedConnection, Q_ARG(QString, input),
                              Q_ARG(QString, output));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty())
        return;
    event->acceptProposedAction();
    openPath(urls.front().isLocalFile() ? urls.front().toLocalFile() : urls.front().toString());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::saveSettings() const {
    QSettings s;
    // Only a model that loaded is saved (a checkpoint that failed would come back as an empty window).
    if (model_) {
        const ModelRequest& r = model_->request;
        s.setValue(QStringLiteral("model/weights"), r.weights);
        s.setValue(QStringLiteral("model/arch"), r.arch);
        s.setValue(QStringLiteral("model/task"), r.task);
        s.setValue(QStringLiteral("model/device"), r.device);
        s.setValue(QStringLiteral("model/precision"), r.precision);
        s.setValue(QStringLiteral("model/shortSide"), r.shortSide);
    }
    s.setValue(QStringLiteral("model/recent"), modelPanel_->recentFiles());
    s.setValue(QStringLiteral("overlay/opacity"), overlay_->opacity());
    s.setValue(QStringLiteral("overlay/threshold"), overlay_->scoreThreshold());
    s.setValue(QStringLiteral("overlay/outline"), overlay_->outline());
    s.setValue(QStringLiteral("attention/capture"), attention_->captureEnabled());
    s.setValue(QStringLiteral("attention/map"), attention_->mapShown());
    s.setValue(QStringLiteral("attention/liveEvery"), attention_->liveCaptureEvery());
    if (!attention_->chosenBlock().isEmpty()) // none yet: the saved one stands
        s.setValue(QStringLiteral("attention/block"), attention_->chosenBlock());
    s.setValue(QStringLiteral("attention/kind"), int(attention_->mapKind()));
    s.setValue(QStringLiteral("attention/colormap"), attention_->colormap());
    s.setValue(QStringLiteral("overlay/classes"), overlay_->classChoices());
    s.setValue(QStringLiteral("dialogs/folder"), dialogFolder_);
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
}

void MainWindow::restoreFromSettings() {
    QSettings s;
    modelPanel_->setRecentFiles(s.value(QStringLiteral("model/recent")).toStringList());
    overlay_->setOpacity(s.value(QStringLiteral("overlay/opacity"), overlay_->opacity()).toDouble());
    overlay_->setScoreThreshold(
        s.value(QStringLiteral("overlay/threshold"), overlay_->scoreThreshold()).toDouble());
    overlay_->setOutline(s.value(QStringLiteral("overlay/outline"), false).toBool());
    attention_->setCaptureEnabled(s.value(QStringLiteral("attention/capture"), true).toBool());
    attention_->setMapShown(s.value(QStringLiteral("attention/map"), false).toBool());
    attention_->setLiveCaptureEvery(s.value(QStringLiteral("attention/liveEvery"), 1).toInt());
    // The block is chosen once the network's blocks are known (AttentionPanel::chooseBlock waits for them).
    if (const QString block = s.value(QStringLiteral("attention/block")).toString(); !block.isEmpty())
        attention_->chooseBlock(block);
    const int kind = s.value(QStringLiteral("attention/kind"), int(AttentionMapKind::Radix)).toInt();
    // A class-conditioned map would switch "explain" on, which is a costlier run the user did not ask for
    // now.
    if (kind == int(AttentionMapKind::Difference) || kind == int(AttentionMapKind::Dominant))
        attention_->setMapKind(AttentionMapKind(kind));
    attention_->setColormap(s.value(QStringLiteral("attention/colormap")).toString());
    overlay_->setClassChoices(s.value(QStringLiteral("overlay/classes")).toMap());
    dialogFolder_ = s.value(QStringLiteral("dialogs/folder")).toString();
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    // A layout saved by an older version (other docks) would hide the new ones: its defaults instead.
    restoreState(s.value(QStringLiteral("window/state")).toByteArray(), kLayoutVersion);
}

} // namespace resnest
