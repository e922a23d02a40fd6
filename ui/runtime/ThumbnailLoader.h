#pragma once

#include <QObject>
#include <QStringList>
#include <atomic>
#include <opencv2/core.hpp>

namespace resnest {

// Decodes and shrinks the images of a folder for the thumbnail strip on its own thread (a folder of large
// photos would freeze the window if read on the GUI thread). A new `load` abandons the previous one.
class ThumbnailLoader : public QObject {
    Q_OBJECT
public:
    explicit ThumbnailLoader(QObject* parent = nullptr);

    // Any thread: the running `load` stops at its next image.
    void abandon() { ++generation_; }
    quint64 generation() const { return generation_.load(); }

    // `generation` from abandon()/generation(): a load whose generation is old stops.
    Q_SLOT void load(const QStringList& paths, int size, quint64 generation);

    // `rgb` is 8-bit RGB, contiguous, at most size x size; empty when the file could not be read.
    Q_SIGNAL void thumbnailReady(int index, const cv::Mat& rgb, quint64 generation);

private:
    std::atomic<quint64> generation_{0};
};

} // namespace resnest

Q_DECLARE_METATYPE(cv::Mat)
