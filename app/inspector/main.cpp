// resnest-inspector: the desktop application.
#include "core/pipeline/HeapPolicy.h"
#include "core/pipeline/OpenMpWaitPolicy.h"
#include "ui/widgets/AttentionPanel.h"
#include "ui/widgets/MainWindow.h"
#include "ui/widgets/PretrainedModelDialog.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QScreen>
#include <QSettings>
#include <QTimer>
#include <algorithm>
#include <cstdio>

int main(int argc, char** argv) {
    resnest::OpenMpWaitPolicy::ensureChosen(argv);
    resnest::HeapPolicy::keepFreedMemory();
    // --help and --version print and exit: they must not need a display (from a terminal over ssh, in a
    // package's build, for a man page generator).
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if ((a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version") &&
            qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ResNeSt Inspector"));
    QApplication::setOrganizationName(QStringLiteral("ResNeSt Inspector"));
    QApplication::setApplicationVersion(QStringLiteral(RESNEST_VERSION));
    // Desktops match the window to its menu entry and icon by this (Wayland in particular).
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.resnest_inspector.Inspector"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.resnest_inspector.Inspector")));
    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "ResNeSt classification, segmentation and detection with per-radix split-attention maps"));
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument(QStringLiteral("path"),
                              QStringLiteral("image, folder, video or checkpoint to open"));
    QCommandLineOption live(QStringLiteral("live"),
                            QStringLiteral("Play VIDEO as a live source (frames dropped as a camera does)."),
                            QStringLiteral("VIDEO"));
    QCommandLineOption camera(QStringLiteral("camera"), QStringLiteral("Open camera INDEX."),
                              QStringLiteral("INDEX"));
    QCommandLineOption model(QStringLiteral("model"),
                             QStringLiteral("Checkpoint to load instead of the saved or demo model."),
                             QStringLiteral("FILE"));
    QCommandLineOption defaults(QStringLiteral("defaults"),
                                QStringLiteral("Ignore saved settings: the bundled demo model and sample."));
    QCommandLineOption radixMap(
        QStringLiteral("radix-map"),
        QStringLiteral("Draw the chosen block's map over the image (default: the last block, radix 0)."));
    QCommandLineOption block(QStringLiteral("block"),
                             QStringLiteral("Explore block NAME (e.g. layer3.0) in the Attention tab."),
                             QStringLiteral("NAME"));
    QCommandLineOption mapKind(QStringLiteral("map-kind"),
                               QStringLiteral("Map to draw: radix, difference, dominant or class."),
                               QStringLiteral("KIND"));
    QCommandLineOption radix(QStringLiteral("radix"), QStringLiteral("Radix R of the drawn map."),
                             QStringLiteral("R"));
    QCommandLineOption explain(
        QStringLiteral("explain"),
        QStringLiteral(
            "Explain class CLASS (an index, or 'predicted') by its gradient w.r.t. the attention."),
        QStringLiteral("CLASS"));
    QCommandLineOption explainBox(
        QStringLiteral("explain-box"),
        QStringLiteral("Detectors: explain detection J (by decreasing score) by its score's gradient."),
        QStringLiteral("J"));
    QCommandLineOption overrides(
        QStringLiteral("override"),
        QStringLiteral("Override attention: BLOCK=MODE[,...], MODE uniform, onehot:R or zero-group:K."),
        QStringLiteral("LIST"));
    QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window as FILE (PNG) once the first result is on screen, then quit; exit "
                       "status 1 if none comes within 120 s (scripts, package checks)."),
        QStringLiteral("FILE"));
    QCommandLineOption pretrained(
        QStringLiteral("pretrained"),
        QStringLiteral("Open the pretrained model dialog (the model catalogue) at start."));
    cli.addOptions({live, camera, model, defaults, radixMap, block, mapKind, radix, explain, explainBox,
                    overrides, screenshot, pretrained});
    cli.process(app);

    // One look on every desktop (and under Xvfb, where the platform style is bare).
    QApplication::setStyle(QStringLiteral("Fusion"));
    resnest::MainWindow window(!cli.isSet(defaults));
    if (cli.isSet(defaults) || !QSettings().contains(QStringLiteral("window/geometry"))) {
        // 1280x800 where the screen has room, never taller or wider than it (the status bar would be cut).
        const QRect screen = window.screen()->availableGeometry();
        window.resize(std::min(screen.width(), std::max(1280, screen.width() * 17 / 20)),
                      std::min(screen.height(), std::max(800, screen.height() * 17 / 20)));
    }
    window.show();
    if (cli.isSet(radixMap))
        window.showRadixMap(true);
    resnest::AttentionPanel* attention = window.attentionPanel();
    if (cli.isSet(block))
        attention->chooseBlock(cli.value(block));
    if (cli.isSet(radix))
        attention->setRadix(cli.value(radix).toInt());
    if (cli.isSet(mapKind)) {
        const QString k = cli.value(mapKind);
        const auto kind = k == QLatin1String("difference") ? resnest::AttentionMapKind::Difference
                          : k == QLatin1String("dominant") ? resnest::AttentionMapKind::Dominant
                          : k == QLatin1String("class")    ? resnest::AttentionMapKind::ClassConditioned
                                                           : resnest::AttentionMapKind::Radix;
        attention->setMapKind(kind);
    }
    if (cli.isSet(explain)) {
        const QString c = cli.value(explain);
        attention->setExplainClass(
            c == QLatin1String("predicted") ? resnest::AttentionRequest::kExplainPredicted : c.toInt());
    }
    if (cli.isSet(explainBox))
        attention->setExplainBox(cli.value(explainBox).toInt());
    if (cli.isSet(overrides)) {
        try {
            for (const resnest::BlockOverride& o :
                 resnest::AttentionRequest::parseOverrides(cli.value(overrides).toStdString()))
                attention->setOverride(QString::fromStdString(o.block), o.mode);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "--override: %s\n", e.what());
            return 2;
        }
    }
    if (cli.isSet(screenshot)) {
        const QString out = cli.value(screenshot);
        // A moment after the first frame, so that the panels it fills have been laid out and painted.
        QObject::connect(
            &window, &resnest::MainWindow::frameShown, &app,
            [&window, out] {
                QTimer::singleShot(500, &window, [&window, out] {
                    const bool saved = window.grab().save(out, "PNG");
                    if (!saved)
                        std::fprintf(stderr, "--screenshot: cannot write %s\n", qPrintable(out));
                    QCoreApplication::exit(saved ? 0 : 1);
                });
            },
            Qt::SingleShotConnection);
        QTimer::singleShot(120000, &app, [] {
            std::fprintf(stderr, "--screenshot: no result on screen within 120 s\n");
            QCoreApplication::exit(1);
        });
    }
    if (cli.isSet(model))
        window.openCheckpoint(cli.value(model));
    if (cli.isSet(pretrained))
        window.openPretrainedDialog();
    // The bundled default: a held-out digit scene for the demo models (resources/demo/samples).
    if (cli.isSet(live))
        window.openVideo(cli.value(live), false);
    else if (cli.isSet(camera))
        window.openCamera(cli.value(camera).toInt());
    else if (!cli.positionalArguments().isEmpty())
        window.openPath(cli.positionalArguments().front());
    else if (QFileInfo::exists(resnest::MainWindow::defaultImage()))
        window.openImage(resnest::MainWindow::defaultImage());
    return app.exec();
}
