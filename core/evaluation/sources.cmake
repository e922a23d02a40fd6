# Evaluation metrics (mIoU / pixel accuracy, COCO-style AP at one IoU threshold): plain C++17 + OpenCV core.
if(TARGET resnest_core)
  target_sources(resnest_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/DetectionMetrics.cpp
                                      ${CMAKE_CURRENT_LIST_DIR}/SegmentationMetrics.cpp)
endif()
