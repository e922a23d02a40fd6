#include "core/media/StreamProbe.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <iterator>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace resnest {

namespace {

struct Target {
    std::string scheme, host, port;
};

bool parse(const std::string& url, Target& t) {
    const size_t sep = url.find("://");
    if (sep == std::string::npos)
        return false;
    t.scheme = url.substr(0, sep);
    for (char& c : t.scheme)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    static const char* kTcp[] = {"rtsp", "rtsps", "http", "https", "rtmp", "tcp"};
    if (std::find(std::begin(kTcp), std::end(kTcp), t.scheme) == std::end(kTcp))
        return false; // udp, rtp, srt...: no connection to try
    std::string authority = url.substr(sep + 3, url.find_first_of("/?#", sep + 3) - (sep + 3));
    if (const size_t at = authority.rfind('@'); at != std::string::npos)
        authority = authority.substr(at + 1);
    if (!authority.empty() && authority.front() == '[') { // [IPv6]:port
        const size_t close = authority.find(']');
        if (close == std::string::npos)
            return false;
        t.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            t.port = authority.substr(close + 2);
    } else {
        const size_t colon = authority.rfind(':');
        t.host = authority.substr(0, colon);
        if (colon != std::string::npos)
            t.port = authority.substr(colon + 1);
    }
    if (t.port.empty()) {
        if (t.scheme == "rtsp" || t.scheme == "rtsps")
            t.port = t.scheme == "rtsp" ? "554" : "322";
        else if (t.scheme == "http")
            t.port = "80";
        else if (t.scheme == "https")
            t.port = "443";
        else if (t.scheme == "rtmp")
            t.port = "1935";
        else
            return false; // tcp:// names its port
    }
    return !t.host.empty();
}

// One TCP connection attempt with a deadline: 0 connected, else the errno (ETIMEDOUT for no answer).
int tryConnect(const addrinfo* a, int timeoutMs) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
        return errno;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    int result = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
        result = errno;
        if (result == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            const int ready = ::poll(&p, 1, timeoutMs);
            if (ready == 0) {
                result = ETIMEDOUT;
            } else if (ready < 0) {
                result = errno;
            } else {
                socklen_t len = sizeof result;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &len);
            }
        }
    }
    ::close(fd);
    return result;
}

} // namespace

std::string StreamProbe::unreachable(const std::string& url, int timeoutMs) {
    Target t;
    if (!parse(url, t))
        return {};
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &found); rc != 0)
        return "unknown host '" + t.host + "' (" + ::gai_strerror(rc) + ")";
    const std::string where = t.host + ":" + t.port;
    int last = 0;
    for (const addrinfo* a = found; a; a = a->ai_next) {
        last = tryConnect(a, timeoutMs);
        if (last == 0)
            break;
    }
    ::freeaddrinfo(found);
    if (last == 0)
        return {};
    if (last == ECONNREFUSED)
        return "connection refused by " + where + " (no server listening there)";
    if (last == ETIMEDOUT)
        return "no answer from " + where + " within " + std::to_string((timeoutMs + 999) / 1000) + " s";
    return "cannot connect to " + where + ": " + std::strerror(last);
}

} // namespace resnest
