// resnest-inspector: the desktop application.
#include "core/inference/OpenMpWaitPolicy.h"
#include "core/inference/ResourceLocator.h"
#include "ui/widgets/MainWindow.h"

#include <QApplication>
#include <QFileInfo>

namespace {

QString defaultImage() {
    try {
        return QString::fromStdString(resnest::ResourceLocator::find("demo/samples/digits-scene-1.jpg"));
    } catch (const std::exception&) {
        return QStringLiteral("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");
    }
}

} // namespace

int main(int argc, char** argv) {
    resnest::OpenMpWaitPolicy::ensureChosen(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ResNeSt Inspector"));
    QApplication::setOrganizationName(QStringLiteral("ResNeSt Inspector"));
    resnest::MainWindow window;
    window.resize(1200, 760);
    window.show();
    // The bundled default: a held-out digit scene for the demo models (resources/demo/samples), else a real
    // photograph that Debian's opencv-doc ships. `--live VIDEO` plays a video file as a live source.
    const QStringList args = QApplication::arguments();
    if (args.size() > 2 && args[1] == QStringLiteral("--live")) {
        window.playLive(args[2]);
    } else {
        QString image = args.size() > 1 ? args[1] : defaultImage();
        if (QFileInfo::exists(image))
            window.openImage(image);
    }
    return app.exec();
}
