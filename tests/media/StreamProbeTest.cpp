// A stream that cannot be opened is reported with its cause: refused, unreachable, or there but no video.
#include "core/media/StreamProbe.h"

#include "core/media/VideoSource.h"
#include "tests/support/LoopbackPort.h"

#include <gtest/gtest.h>

using namespace resnest;

using resnest::test::LoopbackPort;

TEST(StreamProbe, TellsARefusedConnectionFromAServerThatIsThere) {
    const LoopbackPort closed(false);
    const std::string refused =
        StreamProbe::unreachable("rtsp://127.0.0.1:" + std::to_string(closed.port()) + "/cam", 2000);
    EXPECT_NE(refused.find("connection refused by 127.0.0.1:" + std::to_string(closed.port())),
              std::string::npos)
        << refused;
    const LoopbackPort open(true);
    EXPECT_EQ(
        StreamProbe::unreachable("http://user:secret@127.0.0.1:" + std::to_string(open.port()) + "/x", 2000),
        "");
    // No connection to try for datagram schemes or what is not a URL.
    EXPECT_EQ(StreamProbe::unreachable("udp://127.0.0.1:" + std::to_string(closed.port()), 2000), "");
    EXPECT_EQ(StreamProbe::unreachable("/videos/a.avi", 2000), "");
}

TEST(StreamProbe, VideoSourceNamesTheCause) {
    const LoopbackPort closed(false);
    const std::string url = "rtsp://127.0.0.1:" + std::to_string(closed.port()) + "/cam";
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
