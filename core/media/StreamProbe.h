#pragma once

#include <string>

namespace resnest {

// Why a network stream could not be opened. OpenCV's FFmpeg backend only says that it failed; a refused
// connection, an unknown host and a server that is there but sends no video need different fixes, so the host
// is asked directly.
class StreamProbe {
public:
    // For "scheme://[user[:password]@]host[:port]/...": "connection refused by host:port", "unknown host
    // 'host'", "no answer from host:port within N s", or "" when the host accepts a TCP connection (or the
    // scheme is not a TCP one, such as udp://). Default ports: rtsp 554, http 80, https 443, rtmp 1935.
    static std::string unreachable(const std::string& url, int timeoutMs);
};

} // namespace resnest
