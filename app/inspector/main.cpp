// resnest-inspector: the desktop application.
#include "core/inference/OpenMpWaitPolicy.h"
#include "ui/widgets/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>

int main(int argc, char** argv) {
    resnest::OpenMpWaitPolicy::ensureChosen(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ResNeSt Inspector"));
    QApplication::setOrganizationName(QStringLiteral("ResNeSt Inspector"));
    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "ResNeSt classification, segmentation and detection with per-radix split-attention maps"));
    cli.addHelpOption();
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
        QStringLiteral("Draw the last block's radix-0 map over the image (Attention tab)."));
    cli.addOptions({live, camera, model, defaults, radixMap});
    cli.process(app);

    // One look on every desktop (and under Xvfb, where the platform style is bare).
    QApplication::setStyle(QStringLiteral("Fusion"));
    resnest::MainWindow window(!cli.isSet(defaults));
    if (cli.isSet(defaults) || !QSettings().contains(QStringLiteral("window/geometry")))
        window.resize(1280, 800);
    window.show();
    if (cli.isSet(radixMap))
        window.showRadixMap(true);
    if (cli.isSet(model))
        window.openCheckpoint(cli.value(model));
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
