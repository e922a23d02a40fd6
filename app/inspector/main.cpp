// resnest-inspector: the desktop application.
#include "ui/widgets/MainWindow.h"

#include <QApplication>
#include <QFileInfo>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ResNeSt Inspector"));
    QApplication::setOrganizationName(QStringLiteral("ResNeSt Inspector"));
    resnest::MainWindow window;
    window.resize(1200, 760);
    window.show();
    // The bundled default: a real photograph that Debian's opencv-doc ships.
    QString image = argc > 1 ? QString::fromLocal8Bit(argv[1])
                             : QStringLiteral("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");
    if (QFileInfo::exists(image))
        window.openImage(image);
    return app.exec();
}
