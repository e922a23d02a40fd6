#include "tests/support/MjpegServer.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <cmath>
#include <stdexcept>

namespace resnest {

class MjpegServer::Worker : public QObject {
public:
    Worker(std::vector<QByteArray> frames, double fps, std::atomic<qint64>& sent, std::atomic<int>& accepted)
        : frames_(std::move(frames)), fps_(fps), sent_(sent), accepted_(accepted) {}

    quint16 listen(quint16 port) {
        if (!server_) {
            server_ = new QTcpServer(this);
            QObject::connect(server_, &QTcpServer::newConnection, this, [this] { accept(); });
            timer_ = new QTimer(this);
            timer_->setTimerType(Qt::PreciseTimer);
            QObject::connect(timer_, &QTimer::timeout, this, [this] { tick(); });
            clock_.start();
        }
        if (!server_->listen(QHostAddress::LocalHost, port))
            return 0;
        if (!timer_->isActive())
            timer_->start(1);
        return server_->serverPort();
    }

    void stall(int ms) { stalledUntil_ = clock_.elapsed() + ms; }
    void corrupt() { corruptNext_ = true; }

    void disconnectFor(int ms) {
        const quint16 port = server_->serverPort();
        server_->close();
        for (QTcpSocket* c : clients_) {
            c->abort();
            c->deleteLater();
        }
        clients_.clear();
        QTimer::singleShot(ms, this, [this, port] { listen(port); });
    }

private:
    void accept() {
        while (QTcpSocket* c = server_->nextPendingConnection()) {
            ++accepted_;
            c->setParent(this);
            // The request's content does not matter; the answer starts once it arrived.
            QObject::connect(c, &QTcpSocket::readyRead, this, [this, c] {
                c->readAll();
                if (clients_.contains(c))
                    return;
                c->write("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n"
                         "Cache-Control: no-cache\r\nConnection: close\r\n\r\n");
                clients_.append(c);
            });
            QObject::connect(c, &QTcpSocket::disconnected, this, [this, c] {
                clients_.removeAll(c);
                c->deleteLater();
            });
        }
    }

    // Paced by the clock rather than by counting timer ticks, so a late tick does not slow the stream down.
    void tick() {
        const qint64 now = clock_.elapsed();
        const auto due = qint64(std::floor(double(now) * fps_ / 1000.0));
        if (due <= index_)
            return;
        index_ = due;
        if (now < stalledUntil_ || clients_.isEmpty())
            return;
        QByteArray jpeg = frames_[size_t(index_) % frames_.size()];
        if (corruptNext_) {
            jpeg = QByteArray(4096, 'x');
            corruptNext_ = false;
        }
        const QByteArray part =
            "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + QByteArray::number(jpeg.size()) +
            "\r\n\r\n" + jpeg + "\r\n";
        for (QTcpSocket* c : clients_)
            if (c->bytesToWrite() < 4 * part.size()) // a slow client misses frames, as from a camera
                c->write(part);
        ++sent_;
    }

    std::vector<QByteArray> frames_;
    double fps_;
    std::atomic<qint64>& sent_;
    std::atomic<int>& accepted_;
    QTcpServer* server_ = nullptr;
    QTimer* timer_ = nullptr;
    QList<QTcpSocket*> clients_;
    QElapsedTimer clock_;
    qint64 index_ = 0;
    qint64 stalledUntil_ = 0;
    bool corruptNext_ = false;
};

MjpegServer::MjpegServer(std::vector<QByteArray> jpegFrames, double fps) {
    if (jpegFrames.empty() || !(fps > 0))
        throw std::invalid_argument("MjpegServer needs frames and a positive rate");
    worker_ = new Worker(std::move(jpegFrames), fps, sent_, accepted_);
    worker_->moveToThread(&thread_);
    QObject::connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.start();
}

MjpegServer::~MjpegServer() {
    thread_.quit();
    thread_.wait();
}

QString MjpegServer::start() {
    quint16 port = 0;
    QMetaObject::invokeMethod(
        worker_, [&] { port = worker_->listen(0); }, Qt::BlockingQueuedConnection);
    if (port == 0)
        throw std::runtime_error("MjpegServer: cannot listen on 127.0.0.1");
    return QStringLiteral("http://127.0.0.1:%1/stream.mjpg").arg(port);
}

void MjpegServer::stall(int ms) {
    QMetaObject::invokeMethod(worker_, [this, ms] { worker_->stall(ms); });
}

void MjpegServer::sendCorruptFrame() {
    QMetaObject::invokeMethod(worker_, [this] { worker_->corrupt(); });
}

void MjpegServer::disconnectFor(int ms) {
    QMetaObject::invokeMethod(worker_, [this, ms] { worker_->disconnectFor(ms); });
}

} // namespace resnest
