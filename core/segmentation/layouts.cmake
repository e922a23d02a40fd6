# Checkpoint layouts of other projects, renamed into the torchvision layout.
target_sources(resnest_nn PRIVATE ${CMAKE_CURRENT_LIST_DIR}/SegmentationCheckpointLayout.cpp)
