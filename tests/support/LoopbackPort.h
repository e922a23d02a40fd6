#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace resnest::test {

// A TCP socket on 127.0.0.1 bound to a port the kernel chose, listening or not; closed with the object. A
// bound socket that does not listen refuses connections, and its port is not given to anyone else meanwhile.
class LoopbackPort {
public:
    explicit LoopbackPort(bool listening) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        if (listening)
            ::listen(fd_, 4);
    }
    ~LoopbackPort() { ::close(fd_); }
    LoopbackPort(const LoopbackPort&) = delete;
    LoopbackPort& operator=(const LoopbackPort&) = delete;

    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

} // namespace resnest::test
