// For check_rle.py: reads 2-D masks from .npy files and prints "height width counts" per file, so an
// independent Python implementation of pycocotools' encoding can compare byte for byte. Exits non-zero
// when the C++ decoder does not give the mask back.
#include "core/inference/CocoResultWriter.h"
#include "core/io/NpyReader.h"

#include <cstdio>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    try {
        for (int i = 1; i < argc; ++i) {
            const torch::Tensor t =
                resnest::io::NpyReader::read(argv[i]).ne(0).to(torch::kUInt8).contiguous();
            if (t.dim() != 2) {
                std::cerr << argv[i] << ": expected a 2-D mask\n";
                return 2;
            }
            const int h = static_cast<int>(t.size(0)), w = static_cast<int>(t.size(1));
            const cv::Mat mask = cv::Mat(h, w, CV_8U, t.data_ptr<std::uint8_t>()).clone();
            const resnest::CocoRle rle = resnest::CocoResultWriter::encodeRle(mask);
            const cv::Mat back = resnest::CocoResultWriter::decodeRle(rle);
            if (back.size() != mask.size() || (mask.total() > 0 && cv::norm(back, mask, cv::NORM_INF) != 0)) {
                std::cerr << argv[i] << ": decode(encode(mask)) differs from the mask\n";
                return 1;
            }
            std::cout << rle.height << ' ' << rle.width << ' ' << rle.counts << '\n';
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
