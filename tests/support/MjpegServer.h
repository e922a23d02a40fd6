#pragma once

#include <QByteArray>
#include <QObject>
#include <QThread>
#include <atomic>
#include <vector>

namespace resnest {

// An HTTP MJPEG stream (multipart/x-mixed-replace, as IP cameras serve it) on 127.0.0.1, for the tests and
// the soak benchmark: the JPEG frames are sent in a loop at `fps` to every client, from a thread of its own
// so that a busy caller does not change its pace. Faults on demand: a stall, an undecodable frame, a
// disconnect with the port closed for a while. A client that does not keep up misses frames instead of
// filling memory. Thread-safe: every public method may be called from any thread.
class MjpegServer {
public:
    MjpegServer(std::vector<QByteArray> jpegFrames, double fps);
    ~MjpegServer();
    MjpegServer(const MjpegServer&) = delete;
    MjpegServer& operator=(const MjpegServer&) = delete;

    // Listens on a free port of 127.0.0.1; returns the stream's URL. Throws when it cannot listen.
    QString start();
    // Sends nothing for `ms` while keeping the connections open.
    void stall(int ms);
    // The next frame sent is not a JPEG.
    void sendCorruptFrame();
    // Closes every connection and refuses new ones for `ms`, then listens again on the same port.
    void disconnectFor(int ms);

    qint64 framesSent() const { return sent_.load(); }
    int connectionsAccepted() const { return accepted_.load(); }

private:
    class Worker;
    QThread thread_;
    Worker* worker_ = nullptr;
    std::atomic<qint64> sent_{0};
    std::atomic<int> accepted_{0};
};

} // namespace resnest
