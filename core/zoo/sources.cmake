target_sources(resnest_zoo PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/Catalogue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Downloader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FileDigest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelZoo.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ZooHome.cpp)
