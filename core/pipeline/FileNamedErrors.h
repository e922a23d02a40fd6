#pragma once

#include <c10/util/Exception.h>
#include <new>
#include <stdexcept>
#include <string>

namespace resnest {

// A loader's error must say which file it is about: the user may have several open, and a message such as
// "stage layer3 has 600 blocks" is useless without it. Runs `load`; an error that does not already start
// with `path` is rethrown as std::runtime_error prefixed with it (LibTorch's without its backtrace).
// Allocation failures pass through unchanged.
class FileNamedErrors {
public:
    template <class Load> static auto run(const std::string& path, Load&& load) -> decltype(load()) {
        if (path.empty())
            return load();
        try {
            return load();
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const c10::Error& e) {
            throw std::runtime_error(named(path, e.what_without_backtrace()));
        } catch (const std::exception& e) {
            const std::string message = e.what();
            if (message.rfind(path, 0) == 0 || message.find("'" + path + "'") != std::string::npos)
                throw;
            throw std::runtime_error(named(path, message));
        }
    }

private:
    static std::string named(const std::string& path, const std::string& message) {
        return path + ": " + message;
    }
};

} // namespace resnest
