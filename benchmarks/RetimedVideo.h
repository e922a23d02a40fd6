#pragma once

#include <QString>

namespace resnest {

// The frames of `video` at `fps` (a camera's rate; the bundled sample is 10 fps), resized to `size` ("WxH",
// empty: as is), played forwards then backwards until the copy lasts `seconds`, written as MJPG to
// `dir`/source.avi; returns that path. A live run must not reach the end of the file too soon.
QString retimedCopy(const QString& video, const QString& size, double fps, double seconds,
                    const QString& dir);

} // namespace resnest
