#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace resnest::cli {

// Minimal `--name value` / `--flag` / positional parser: each command declares which options take values
// and which are flags, so a typo is an error instead of a silently ignored word.
class ArgumentList {
public:
    ArgumentList(const std::vector<std::string>& args, const std::set<std::string>& valued,
                 const std::set<std::string>& flags);

    bool has(const std::string& name) const { return values_.count(name) || flags_.count(name); }
    std::string get(const std::string& name, const std::string& fallback = "") const;
    int getInt(const std::string& name, int fallback) const;
    double getDouble(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positional_;
};

} // namespace resnest::cli
