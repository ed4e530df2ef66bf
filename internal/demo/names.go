package demo

import "math/rand/v2"

// Surnames common in northern Jiangsu, most frequent first (weighted by repetition).
var surnames = []rune("王王王张张张陈陈陈李李刘刘徐徐朱孙孙周吴杨蔡胡顾沈季唐许戴葛薛卞邵仓韦单夏潘成姜严陆丁")

var givenChars = []rune("建国华明军平红英兰芳秀玉金银海春桂林荣德宝成永志文正春梅凤霞云洪亮伟强勇杰涛斌俊峰磊超敏静丽娟燕萍琴兵辉红雪莲新民立生庆福")

func personName(r *rand.Rand) string {
	n := []rune{surnames[r.IntN(len(surnames))]}
	for i := 0; i < 1+r.IntN(2); i++ {
		n = append(n, givenChars[r.IntN(len(givenChars))])
	}
	return string(n)
}

// Syllables for synthetic town and village names.
var placeFirst = []rune("大小新老东西南北黄陈张王李刘徐朱周吴杨蔡胡顾沈许戴葛薛前后上下中长丰盐海河湖港沟桥庄集")
var placeSecond = []rune("兴港湖河桥庄集洼圩墩湾沟楼店营园坝滩荡田林岭塘口尖头港坊洋")

// placeName draws a name not in seen (names are unique within a county); after many tries a
// third syllable widens the space so the draw always ends.
func placeName(r *rand.Rand, seen map[string]bool, suffix string) string {
	for try := 0; ; try++ {
		n := []rune{placeFirst[r.IntN(len(placeFirst))], placeSecond[r.IntN(len(placeSecond))]}
		if try > 20 {
			n = append(n, placeSecond[r.IntN(len(placeSecond))])
		}
		n = []rune(string(n) + suffix)
		if s := string(n); !seen[s] {
			seen[s] = true
			return s
		}
	}
}

var banks = []string{"江苏农村商业银行", "中国农业银行", "中国邮政储蓄银行", "江苏银行", "中国建设银行"}

var causes = []string{"illness", "disability", "schooling", "disaster", "labour", "skills", "capital", "motivation"}
