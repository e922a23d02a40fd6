// A stream that cannot be opened is reported with its cause: refused, unreachable, or there but no video.
#include "core/media/StreamProbe.h"

#include "core/media/VideoSource.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace resnest;

namespace {

// A loopback socket bound to a free port; listening or not.
struct LocalPort {
    int fd = -1;
    int port = 0;
    explicit LocalPort(bool listening) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        if (listening)
            ::listen(fd, 4);
    }
    ~LocalPort() { ::close(fd); }
};

} // namespace

TEST(StreamProbe, TellsARefusedConnectionFromAServerThatIsThere) {
    const LocalPort closed(false);
    const std::string refused =
        StreamProbe::unreachable("rtsp://127.0.0.1:" + std::to_string(closed.port) + "/cam", 2000);
    EXPECT_NE(refused.find("connection refused by 127.0.0.1:" + std::to_string(closed.port)),
              std::string::npos)
        << refused;
    const LocalPort open(true);
    EXPECT_EQ(
        StreamProbe::unreachable("http://user:secret@127.0.0.1:" + std::to_string(open.port) + "/x", 2000),
        "");
    // No connection to try for datagram schemes or what is not a URL.
    EXPECT_EQ(StreamProbe::unreachable("udp://127.0.0.1:" + std::to_string(closed.port), 2000), "");
    EXPECT_EQ(StreamProbe::unreachable("/videos/a.avi", 2000), "");
}

TEST(StreamProbe, VideoSourceNamesTheCause) {
    const LocalPort closed(false);
    const std::string url = "rtsp://127.0.0.1:" + std::to_string(closed.port) + "/cam";
    try {
        VideoSource::openFile(url);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(url), std::string::npos) << m;
        EXPECT_NE(m.find("connection refused"), std::string::npos) << m;
        EXPECT_EQ(m.find("decode"), std::string::npos) << m;
    }
}
