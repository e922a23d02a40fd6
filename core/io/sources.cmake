# Checkpoint and tensor-file readers/writers: resnest_io, the bottom layer (LibTorch tensors, no models). The
# list is also published as a global property so the fuzz targets can compile these files alone with
# fuzzer instrumentation.
set(_resnest_io_sources
  AtomicFileWriter.cpp
  CheckpointFormat.cpp
  CheckpointReader.cpp
  DType.cpp
  FileBuffer.cpp
  NpyReader.cpp
  NpzWriter.cpp
  PickleReader.cpp
  PickleValue.cpp
  SafetensorsReader.cpp
  SafetensorsWriter.cpp
  StateDictFinder.cpp
  TorchLegacyReader.cpp
  TorchZipReader.cpp
  ZipArchive.cpp)
list(TRANSFORM _resnest_io_sources PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
set_property(GLOBAL PROPERTY RESNEST_IO_SOURCES ${_resnest_io_sources})
target_sources(resnest_io PRIVATE ${_resnest_io_sources})
unset(_resnest_io_sources)
