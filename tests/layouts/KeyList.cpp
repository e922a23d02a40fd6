#include "tests/layouts/KeyList.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <torch/torch.h>
#include <vector>

namespace resnest::test {

io::TensorMap readKeyList(const std::string& name) {
    const std::string path = std::string(RESNEST_LAYOUT_KEYS_DIR) + "/" + name + ".txt";
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open key list " + path + " (run tests/layouts/make_key_lists.py)");
    io::TensorMap out;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream fields(line);
        std::string key, shape;
        if (!(fields >> key >> shape))
            throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": expected 'key shape'");
        std::vector<int64_t> sizes;
        std::istringstream dims(shape);
        for (std::string d; std::getline(dims, d, ',');)
            sizes.push_back(std::stoll(d));
        out.emplace(key, torch::empty(sizes));
    }
    return out;
}

std::string shapeDifferences(const io::TensorMap& actual, const io::TensorMap& expected) {
    std::vector<std::string> extra, missing, shapes;
    for (const auto& [key, t] : actual) {
        auto it = expected.find(key);
        if (it == expected.end())
            extra.push_back(key);
        else if (t.sizes() != it->second.sizes())
            shapes.push_back(key + " " + c10::str(t.sizes()) + " vs " + c10::str(it->second.sizes()));
    }
    for (const auto& kv : expected)
        if (!actual.count(kv.first))
            missing.push_back(kv.first);
    std::ostringstream out;
    auto list = [&out](const char* what, const std::vector<std::string>& items) {
        if (items.empty())
            return;
        out << items.size() << " " << what << ":";
        for (size_t i = 0; i < items.size() && i < 8; ++i)
            out << " " << items[i];
        out << "; ";
    };
    list("unexpected", extra);
    list("missing", missing);
    list("with other shapes", shapes);
    return out.str();
}

} // namespace resnest::test
