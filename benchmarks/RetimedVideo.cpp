#include "benchmarks/RetimedVideo.h"

#include "core/media/VideoSource.h"

#include <QStringList>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <stdexcept>
#include <vector>

namespace resnest {

QString retimedCopy(const QString& video, const QString& size, double fps, double seconds,
                    const QString& dir) {
    VideoSource in = VideoSource::openFile(video.toStdString());
    std::vector<cv::Mat> frames;
    for (cv::Mat f; in.read(f);)
        frames.push_back(f.clone());
    if (frames.empty())
        throw std::runtime_error("cannot read " + video.toStdString());
    cv::Size s = frames[0].size();
    if (!size.isEmpty()) {
        const QStringList wh = size.split('x');
        if (wh.size() != 2)
            throw std::invalid_argument("--size is WxH, e.g. 512x512");
        s = cv::Size(wh[0].toInt(), wh[1].toInt());
    }
    const QString out = dir + QStringLiteral("/source.avi");
    cv::VideoWriter w(out.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, s);
    cv::Mat r;
    for (size_t i = 0; double(i) < seconds * fps || i < frames.size(); ++i) {
        // Forwards then backwards, so that the loop point is not a jump cut.
        const size_t period = 2 * frames.size() - 2;
        const size_t k = period ? i % period : 0;
        const cv::Mat& f = frames[k < frames.size() ? k : period - k];
        if (f.size() != s)
            cv::resize(f, r, s, 0, 0, cv::INTER_AREA);
        else
            r = f;
        w.write(r);
    }
    return out;
}

} // namespace resnest
